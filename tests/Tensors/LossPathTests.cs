using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// The vectorised loss kernels — the softmax cross-entropy backward and the fused distillation loss — on every path
// against double-precision references, and the fused loss against the composed kernels it replaces.
public class LossPathTests
{
    private static IEnumerable<(int Rows, int Columns)> Shapes() =>
        PathData.Lengths.Where(n => n > 0).Select(n => (2, n)).Concat(PathData.Columns.Select(c => (3, c))).Append((64, 1000));

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Softmax_cross_entropy_backward_adds_the_reference_gradient(KernelPath path)
    {
        foreach (float smoothing in new[] { 0f, 0.1f })
            foreach ((int rows, int cols) in Shapes())
            {
                int n = rows * cols;
                float[] logp = new float[n];
                SoftmaxReference.Forward(PathData.Uniform((ulong)n, n, -6, 6), logp, cols, 1f, log: true);
                int[] labels = Enumerable.Range(0, rows).Select(r => r % 3 == 1 ? -1 : (r * 7 + 3) % cols).ToArray();
                float[] start = PathData.Uniform((ulong)n + 1, n, -1, 1);
                foreach (bool accumulate in new[] { true, false })
                {
                    float[] expected = start.ToArray(), actual = start.ToArray();
                    LossReference.SoftmaxCrossEntropyBackward(expected, logp, cols, labels, smoothing, 0.7f, accumulate);
                    LossKernels.SoftmaxCrossEntropyBackward(path, actual, logp, cols, labels, smoothing, 0.7f, LossKernels.LabelledRows(labels), accumulate);
                    Check.Close(expected, actual, 2e-7, 2e-6, $"CE backward {rows}x{cols} ε={smoothing} on {path}, {(accumulate ? "added" : "written")}");
                }
            }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Fused_kl_divergence_and_gradients_match_the_double_reference(KernelPath path)
    {
        foreach (float t in new[] { 1f, 4f, 0.5f })
            foreach ((int rows, int cols) in Shapes())
            {
                int n = rows * cols;
                float[] s = PathData.Uniform((ulong)n, n, -3, 3), te = PathData.Uniform((ulong)n + 1, n, -3, 3);
                float[] expectedDs = new float[n], expectedDt = new float[n], ds = new float[n], dt = new float[n];
                float expected = LossReference.KlDivergenceWithGradient(expectedDs, expectedDt, s, te, cols, t);
                float loss = KlDivergenceKernel.Run(path, ds, dt, s, te, cols, t);
                string what = $"{rows}x{cols} T={t} on {path}";
                // The teacher gradient is pt·(gap − mean gap) with |gap| up to 6/T: its float rounding is absolute.
                double k = 1.0 / (t * rows), gapRounding = 4e-7 * 6 / t;
                Check.Close([expected], [loss], 1e-7, 1e-5, "loss " + what);
                Check.Close(expectedDs, ds, 2e-7 * k, 1e-5, "dStudent " + what);
                Check.Close(expectedDt, dt, gapRounding * k, 1e-5, "dTeacher " + what);

                float[] dsAlone = new float[n];
                Assert.Equal(loss, KlDivergenceKernel.Run(path, dsAlone, default, s, te, cols, t));
                Assert.Equal(ds, dsAlone);
            }
    }

    [Fact]
    public void Fused_kl_divergence_equals_log_softmax_twice_then_kl_and_its_backward()
    {
        ICompute cpu = CpuCompute.Default;
        foreach (float t in new[] { 1f, 2f, 4f })
            foreach ((int rows, int cols) in new[] { (1, 1), (4, 5), (7, 17), (128, 10), (33, 257), (16, 1000) })
            {
                Tensor s = Check.Random((ulong)(rows * cols), -4, 4, rows, cols), te = Check.Random((ulong)(rows * cols) + 1, -4, 4, rows, cols);
                Tensor logPs = Tensor.Zeros(rows, cols), logPt = Tensor.Zeros(rows, cols), composedLoss = Tensor.Zeros(1);
                Tensor composedDs = Tensor.Zeros(rows, cols), composedDt = Tensor.Zeros(rows, cols);
                cpu.Softmax(logPs, s, t, log: true);
                cpu.Softmax(logPt, te, t, log: true);
                composedLoss.Span[0] = LossReference.KlDivergence(logPs.Span, logPt.Span, rows);
                LossReference.KlDivergenceBackward(composedDs.Span, composedDt.Span, logPs.Span, logPt.Span, cols, t, scale: 1f);

                Tensor loss = Tensor.Zeros(1), ds = Tensor.Zeros(rows, cols), dt = Tensor.Zeros(rows, cols);
                cpu.KlDivergenceWithGradient(loss, ds, dt, s, te, t);
                string what = $"{rows}x{cols} T={t}";
                // Both round log-probabilities of magnitude up to 8/T + log C in float; the errors are absolute.
                double k = 1.0 / (t * rows), logRounding = 4e-7 * (8 / t + Math.Log(cols) + 1);
                Check.Close(composedLoss, loss, logRounding, 1e-5, "loss " + what);
                Check.Close(composedDs, ds, logRounding * k, 1e-5, "dStudent " + what);
                Check.Close(composedDt, dt, logRounding * k, 1e-5, "dTeacher " + what);
            }
    }

    [Fact]
    public void Fused_kl_divergence_of_identical_logits_is_exactly_zero()
    {
        Tensor s = Check.Random(3, -5, 5, 9, 33), ds = Tensor.Zeros(9, 33), dt = Tensor.Zeros(9, 33), loss = Tensor.Zeros(1);
        CpuCompute.Default.KlDivergenceWithGradient(loss, ds, dt, s, s, 2f);
        Assert.Equal(0f, loss.Item());
        Assert.All(ds.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(dt.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Fused_kl_divergence_rejects_mismatched_shapes_naming_them()
    {
        Tensor loss = Tensor.Zeros(1), s = Tensor.Zeros(2, 3);
        Check.Throws<ArgumentException>(() => CpuCompute.Default.KlDivergenceWithGradient(loss, Tensor.Zeros(2, 3), default, s, Tensor.Zeros(3, 2), 1f),
            "teacherLogits", "[3, 2]");
        Check.Throws<ArgumentException>(() => CpuCompute.Default.KlDivergenceWithGradient(loss, Tensor.Zeros(2, 3), Tensor.Zeros(6), s, s, 1f),
            "dTeacher", "[6]");
        Check.Throws<ArgumentOutOfRangeException>(() => CpuCompute.Default.KlDivergenceWithGradient(loss, Tensor.Zeros(2, 3), default, s, s, 0f),
            "temperature");
    }
}
