using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// The vectorised activation derivatives, LeakyReLU and the accumulating division on every path against the plain
// loops: bit for bit where the operations are the same, within float rounding for GELU' (float vs double).
public class ElementwisePathTests
{
    public static TheoryData<KernelPath, UnaryOp> PathsAndOps()
    {
        var data = new TheoryData<KernelPath, UnaryOp>();
        foreach (KernelPath path in CpuKernels.Supported)
            foreach (UnaryOp op in Enum.GetValues<UnaryOp>()) data.Add(path, op);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndOps))]
    public void Activation_derivatives_add_the_reference_gradient_at_every_length(KernelPath path, UnaryOp op)
    {
        foreach (int n in PathData.Lengths.Append(1000))
        {
            float[] x = PathData.Uniform((ulong)n, n, -6, 6);
            // A few exact zeros and tiny values: the ReLU kink and the tanh/GELU small-argument regime.
            for (int i = 0; i < n; i += 5) x[i] = i % 10 == 0 ? 0f : x[i] * 1e-6f;
            float[] y = new float[n];
            Elementwise.Unary(KernelPath.Scalar, op, x, y, 0.1f);
            float[] dy = PathData.Uniform((ulong)n + 1, n, -1, 1), start = PathData.Uniform((ulong)n + 2, n, -1, 1);
            foreach (bool accumulate in new[] { true, false })
            {
                float[] expected = start.ToArray(), actual = start.ToArray();
                ElementwiseReference.UnaryBackward(op, expected, x, y, dy, 0.1f, accumulate);
                Elementwise.UnaryBackward(path, op, actual, x, y, dy, 0.1f, accumulate);
                string what = $"{op}' n={n} on {path}, {(accumulate ? "added" : "written")}";
                if (op == UnaryOp.Gelu) Check.Close(expected, actual, 1e-7, 1e-6, what);
                else Assert.True(expected.AsSpan().SequenceEqual(actual), what);
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndOps))]
    public void Activation_derivatives_written_over_dx_equal_those_added_to_zeros(KernelPath path, UnaryOp op)
    {
        const int n = 37;
        float[] x = PathData.Uniform(5, n, -6, 6), dy = PathData.Uniform(6, n, -1, 1), y = new float[n];
        Elementwise.Unary(KernelPath.Scalar, op, x, y, 0.1f);
        float[] added = new float[n], written = Enumerable.Repeat(float.NaN, n).ToArray();
        Elementwise.UnaryBackward(path, op, added, x, y, dy, 0.1f);
        Elementwise.UnaryBackward(path, op, written, x, y, dy, 0.1f, accumulate: false);
        Assert.Equal(added, written);
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Gelu_derivative_matches_double_precision_over_its_whole_range(KernelPath path)
    {
        float[] x = Enumerable.Range(0, 4001).Select(i => -20f + i * 0.01f).Concat([1e-7f, -1e-7f, 1e-30f, 0f, -0f, 30f, -30f]).ToArray();
        float[] dy = Enumerable.Repeat(1f, x.Length).ToArray();
        float[] expected = new float[x.Length], actual = new float[x.Length];
        ElementwiseReference.UnaryBackward(UnaryOp.Gelu, expected, x, default, dy, 0f);
        Elementwise.UnaryBackward(path, UnaryOp.Gelu, actual, x, default, dy, 0f);
        // Relative 1e-6 wherever the derivative is not a cancellation of Φ(x) against x·φ(x) (near x = −0.75);
        // there the error is absolute, of the order of float rounding of the two terms.
        Check.Close(expected, actual, 1e-7, 1e-6, $"GELU' on {path}");
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Leaky_relu_and_divide_accumulate_equal_the_reference_loops(KernelPath path)
    {
        foreach (int n in PathData.Lengths)
        {
            float[] x = PathData.Uniform((ulong)n, n, -3, 3), b = PathData.Uniform((ulong)n + 1, n, 0.5f, 2f);
            float[] expected = new float[n], actual = new float[n];
            ElementwiseReference.LeakyRelu(x, expected, 0.01f);
            Elementwise.Unary(path, UnaryOp.LeakyRelu, x, actual, 0.01f);
            Assert.Equal(expected, actual);

            float[] start = PathData.Uniform((ulong)n + 2, n, -1, 1);
            expected = start.ToArray();
            actual = start.ToArray();
            ElementwiseReference.DivideAccumulate(x, b, expected);
            Elementwise.Binary(path, BinaryOp.Divide, x, new Shape(n), b, new Shape(n), actual, new Shape(n), accumulate: true);
            Assert.Equal(expected, actual);
        }
    }
}
