using TinyKd.Autograd;
using TinyKd.Distill.Distillation;
using TinyKd.Tensors;
using TinyKd.Tests.Parity;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Distillation;

// Hinton's soft-target loss α·T²·KL + (1 − α)·CE against PyTorch, its limits, and its gradient.
public class SoftTargetLossTests(ITestOutputHelper output)
{
    private readonly ParityCheck _check = new(Fixture.Load("losses"), output);

    private Fixture Data => _check.Fixture;

    [Theory]
    [InlineData("hinton", "labels")]
    [InlineData("hinton_unlabelled", "labels_partial")]
    public void Loss_and_gradient_match_pytorch_kl_div_times_T_squared_plus_cross_entropy(string key, string labels)
    {
        float alpha = Data.Number("hinton_alpha"), temperature = Data.Number("hinton_temperature");
        var g = new Graph();
        Variable s = g.Input(Data.Get("s"), requiresGrad: true);
        Variable loss = SoftTargetLoss.Compute(s, g.Input(Data.Get("t")), Data.Labels(labels), temperature, alpha);
        loss.Backward();

        _check.Matches(key + ".loss", loss.Item());
        _check.Matches(key + ".grad.s", s.Grad);
    }

    [Fact]
    public void Alpha_zero_is_the_plain_cross_entropy()
    {
        Tensor s = Check.Random(1, -3, 3, 6, 5), t = Check.Random(2, -3, 3, 6, 5);
        int[] labels = [0, 4, 2, 2, 1, 3];
        var (loss, grad) = LossAndGrad(s, x => SoftTargetLoss.Compute(x, Variable.Constant(t), labels, 4f, 0f));
        var (ce, ceGrad) = LossAndGrad(s, x => Losses.CrossEntropy(x, labels));
        Assert.Equal(ce, loss);
        Check.Close(ceGrad, grad, 0, 0, "α = 0 gradient");
    }

    [Fact]
    public void Alpha_one_ignores_the_labels()
    {
        Tensor s = Check.Random(3, -3, 3, 4, 5), t = Check.Random(4, -3, 3, 4, 5);
        var (a, _) = LossAndGrad(s, x => SoftTargetLoss.Compute(x, Variable.Constant(t), new[] { 0, 1, 2, 3 }, 2f, 1f));
        var (b, _) = LossAndGrad(s, x => SoftTargetLoss.Compute(x, Variable.Constant(t), new[] { 4, 4, -1, 0 }, 2f, 1f));
        Assert.Equal(a, b);
    }

    // Hinton et al. §2.1: as T → ∞, the gradient of T²·KL with respect to a student logit tends to
    // (1/C)·((s − mean s) − (t − mean t)) per row (here divided by B for the batch mean): logit matching.
    [Fact]
    public void At_high_temperature_the_gradient_becomes_logit_matching()
    {
        const int b = 3, c = 6;
        Tensor s = Check.Random(5, -2, 2, b, c), t = Check.Random(6, -2, 2, b, c);
        var (_, grad) = LossAndGrad(s, x => SoftTargetLoss.Compute(x, Variable.Constant(t), new int[b], 1000f, 1f));
        float[] sv = s.ToArray(), tv = t.ToArray(), expected = new float[b * c];
        for (int r = 0; r < b; r++)
        {
            float sMean = sv.AsSpan(r * c, c).ToArray().Average(), tMean = tv.AsSpan(r * c, c).ToArray().Average();
            for (int j = 0; j < c; j++) expected[r * c + j] = ((sv[r * c + j] - sMean) - (tv[r * c + j] - tMean)) / (c * b);
        }
        Check.Close(expected, grad, 2e-4, 2e-3, "T = 1000 gradient vs the logit-matching limit");
    }

    [Fact]
    public void The_combined_gradient_with_unlabelled_rows_matches_finite_differences()
    {
        int[] labels = [2, -1, 0, 4];
        Tensor t = Check.Random(7, -3, 3, 4, 5);
        var r = GradCheck.Check(v => SoftTargetLoss.Compute(v[0], Variable.Constant(t), labels, 2f, 0.7f), [Check.Random(8, -3, 3, 4, 5)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(0f, 0.5f, "temperature")]
    [InlineData(-1f, 0.5f, "temperature")]
    [InlineData(4f, 1.5f, "α must be in [0, 1]; got 1.5")]
    [InlineData(4f, -0.1f, "α must be in [0, 1]")]
    public void Bad_temperature_or_alpha_is_rejected_naming_it(float temperature, float alpha, string fragment)
    {
        var g = new Graph();
        Variable s = g.Input(Check.Random(9, -1, 1, 2, 3));
        Check.Throws<ArgumentOutOfRangeException>(() => SoftTargetLoss.Compute(s, g.Input(Check.Random(10, -1, 1, 2, 3)), new[] { 0, 1 }, temperature, alpha), fragment);
    }

    private static (float Loss, float[] Grad) LossAndGrad(Tensor studentLogits, Func<Variable, Variable> loss)
    {
        var g = new Graph();
        Variable input = g.Input(studentLogits, requiresGrad: true);
        Variable value = loss(input);
        value.Backward();
        return (value.Item(), input.Grad.ToArray());
    }
}
