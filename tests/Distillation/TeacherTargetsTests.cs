using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Distillation;

// The teachers' side of a batch: cached logits, several teachers mixed, and the checks against the data.
public class TeacherTargetsTests
{
    private static Dataset Data(int n = 10) =>
        new(Check.Random(11, -1, 1, n, 4), Enumerable.Range(0, n).Select(i => i % 3).ToArray(), 3, "toy");

    [Fact]
    public void Cached_logits_are_gathered_by_sample_index_and_equal_the_teachers_output()
    {
        Dataset data = Data();
        var teacher = new Mlp(MlpSpec.Parse("4-8-3"), new Rng(5));
        var targets = new TeacherTargets([Teacher.FromModel(teacher)]);
        targets.Prepare(data, batchSize: 4);
        int[] rows = [7, 2, 9];
        Tensor features = data.Subset(rows).Features;
        var (soft, _) = targets.For(new Batch(features, new[] { 1, 2, 0 }, rows), augmented: false, 4f, needMean: false);
        float[] direct = Evaluation.PredictLogits(teacher, features, 3);
        // The cache ran the teacher on batches of other rows; a GEMM row may round its last bit differently.
        Check.Close(direct, soft.ToArray(), 1e-6, 1e-6, "cached vs direct teacher logits");

        var (augmented, _) = targets.For(new Batch(features, new[] { 1, 2, 0 }, rows), augmented: true, 4f, needMean: false);
        Check.Close(direct, augmented.ToArray(), 0, 0, "teacher run on the batch");
    }

    [Fact]
    public void Several_teachers_give_the_weighted_mean_of_their_softened_distributions()
    {
        Dataset data = Data(3);
        float[] a = Check.Random(12, -3, 3, 3, 3).ToArray(), b = Check.Random(13, -3, 3, 3, 3).ToArray();
        var targets = new TeacherTargets([Teacher.FromLogits(a, 3, 3, "a", 1f), Teacher.FromLogits(b, 3, 3, "b", 3f)]);
        targets.Prepare(data, 3);
        const float t = 2f;
        var (soft, mean) = targets.For(new Batch(data.Features, data.Labels, new[] { 0, 1, 2 }), false, t, needMean: true);
        float[] s = soft.ToArray(), m = mean.ToArray();
        for (int r = 0; r < 3; r++)
        {
            double[] pa = Softmax(a.AsSpan(r * 3, 3), t), pb = Softmax(b.AsSpan(r * 3, 3), t), ps = Softmax(s.AsSpan(r * 3, 3), t);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(0.25 * pa[c] + 0.75 * pb[c], ps[c], 5);
                Assert.Equal(0.25f * a[r * 3 + c] + 0.75f * b[r * 3 + c], m[r * 3 + c], 5);
            }
        }
    }

    [Fact]
    public void Teacher_logits_of_another_length_or_class_count_are_rejected_naming_both()
    {
        Dataset data = Data(10);
        Check.Throws<ArgumentException>(() => new TeacherTargets([Teacher.FromLogits(new float[27], 9, 3, "t.npy")]).Prepare(data, 4),
            "t.npy", "9 rows", "10 samples");
        Check.Throws<ArgumentException>(() => new TeacherTargets([Teacher.FromLogits(new float[40], 10, 4, "u.npy")]).Prepare(data, 4),
            "4 classes", "has 3");
        Check.Throws<ArgumentException>(() => new TeacherTargets([Teacher.FromModel(new Mlp(MlpSpec.Parse("5-3"), new Rng(1)))]).Prepare(data, 4),
            "takes 5 inputs", "4 features");
    }

    [Fact]
    public void Precomputed_logits_cannot_follow_augmented_images()
    {
        Dataset data = Data(4);
        var targets = new TeacherTargets([Teacher.FromLogits(new float[12], 4, 3, "t.npy")]);
        targets.Prepare(data, 4);
        Check.Throws<InvalidOperationException>(() => targets.For(new Batch(data.Features, data.Labels, new[] { 0, 1, 2, 3 }), true, 1f, false),
            "t.npy", "augment");
    }

    [Fact]
    public void Non_finite_teacher_logits_are_rejected()
    {
        Check.Throws<ArgumentException>(() => Teacher.FromLogits([0f, float.NaN, 1f], 1, 3, "bad.npy"), "bad.npy", "NaN", "column 1");
    }

    private static double[] Softmax(ReadOnlySpan<float> logits, float t)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v / t);
        double[] e = new double[logits.Length];
        for (int i = 0; i < e.Length; i++) e[i] = Math.Exp(logits[i] / t - max);
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
