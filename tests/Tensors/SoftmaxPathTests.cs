using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// The fused row softmax / log-softmax and their backward passes, on every path, against the double reference.
public class SoftmaxPathTests
{
    // |z| = |x − max|/T reaches 20 here; e^z inherits z's rounding, u·|z| ≈ 1.2e-6, on top of exp's 1 ulp.
    private const double SoftmaxRtol = 4e-6, LogSoftmaxAtol = 2e-6, LogSoftmaxRtol = 1e-6;

    private static IEnumerable<(int Rows, int Columns)> Shapes() =>
        PathData.Lengths.Where(n => n > 0).Select(n => (2, n)).Concat(PathData.Columns.Select(c => (3, c))).Append((40, 1000));

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Softmax_and_log_softmax_match_the_reference_for_every_row_width(KernelPath path)
    {
        foreach (float t in new[] { 1f, 2.5f, 0.5f })
            foreach ((int rows, int cols) in Shapes())
            {
                float[] x = PathData.Uniform((ulong)(rows * cols), rows * cols, -5, 5);
                foreach (bool log in new[] { false, true })
                {
                    float[] expected = new float[x.Length], actual = new float[x.Length];
                    SoftmaxReference.Forward(x, expected, cols, t, log);
                    Softmax.Forward(path, x, actual, cols, t, log);
                    string what = $"{(log ? "log-softmax" : "softmax")} {rows}x{cols} T={t} on {path}";
                    if (log) Check.Close(expected, actual, LogSoftmaxAtol, LogSoftmaxRtol, what);
                    else Check.Close(expected, actual, 1e-12, SoftmaxRtol, what);
                }
            }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Softmax_backward_adds_the_reference_gradient_for_every_row_width(KernelPath path)
    {
        foreach (float t in new[] { 1f, 3f })
            foreach ((int rows, int cols) in Shapes())
                foreach (bool log in new[] { false, true })
                {
                    int n = rows * cols;
                    float[] y = new float[n];
                    SoftmaxReference.Forward(PathData.Uniform((ulong)n, n, -4, 4), y, cols, t, log);
                    float[] dy = PathData.Uniform((ulong)n + 1, n, -1, 1), start = PathData.Uniform((ulong)n + 2, n, -1, 1);
                    float[] expected = start.ToArray(), actual = start.ToArray();
                    SoftmaxReference.Backward(expected, y, dy, cols, t, log);
                    Softmax.Backward(path, actual, y, dy, cols, t, log);
                    Check.Close(expected, actual, 2e-6, 2e-6, $"{(log ? "log-softmax" : "softmax")} backward {rows}x{cols} T={t} on {path}");
                }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Rows_split_over_the_worker_pool_equal_rows_done_one_at_a_time(KernelPath path)
    {
        const int rows = 100, cols = 1000;
        float[] x = PathData.Uniform(5, rows * cols, -8, 8);
        foreach (bool log in new[] { false, true })
        {
            float[] whole = new float[x.Length], single = new float[x.Length];
            Softmax.Forward(path, x, whole, cols, 2f, log);
            for (int r = 0; r < rows; r++)
                Softmax.Forward(path, x.AsMemory(r * cols, cols), single.AsMemory(r * cols, cols), cols, 2f, log);
            Assert.Equal(single, whole);
        }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Softmax_is_stable_for_huge_logits_and_propagates_nan(KernelPath path)
    {
        float[] x = new float[2 * 20];
        x[0] = 1e30f; x[1] = -1e30f; x[19] = 1e30f;
        x[20 + 17] = float.NaN;
        float[] y = new float[x.Length], logY = new float[x.Length];
        Softmax.Forward(path, x, y, 20, 1f, log: false);
        Softmax.Forward(path, x, logY, 20, 1f, log: true);
        Assert.Equal([0.5f, 0f], y[..2]);
        Assert.Equal(0.5f, y[19]);
        Assert.Equal(MathF.Log(0.5f), logY[0]);
        Assert.Equal(-2e30f, logY[1]);
        Assert.All(y[20..], v => Assert.True(float.IsNaN(v)));
        Assert.All(logY[20..], v => Assert.True(float.IsNaN(v)));
    }
}
