using TinyKd.Tensors;
using TinyKd.Tests.Support;
using CpuKernels = TinyKd.Tensors.Cpu.CpuKernels;
using KernelPath = TinyKd.Tensors.Cpu.KernelPath;

namespace TinyKd.Tests.Tensors;

// Softmax, reductions and data movement against plain double-precision loops.
public class KernelTests
{
    private static readonly ICompute Cpu = CpuCompute.Default;

    [Theory]
    [InlineData(1, 1, 1f)]
    [InlineData(3, 10, 1f)]
    [InlineData(5, 17, 4f)]
    [InlineData(2, 1000, 0.5f)]
    public void Softmax_and_log_softmax_match_a_double_precision_reference(int rows, int cols, float t)
    {
        var x = Check.Random(3, -20, 20, rows, cols);
        var p = Tensor.Zeros(rows, cols);
        var logp = Tensor.Zeros(rows, cols);
        Cpu.Softmax(p, x, t, log: false);
        Cpu.Softmax(logp, x, t, log: true);
        var expectedP = new float[rows * cols];
        var expectedLog = new float[rows * cols];
        float[] xs = x.ToArray();
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < cols; c++) max = Math.Max(max, xs[r * cols + c] / (double)t);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.Exp(xs[r * cols + c] / (double)t - max);
            for (int c = 0; c < cols; c++)
            {
                double z = xs[r * cols + c] / (double)t - max;
                expectedP[r * cols + c] = (float)(Math.Exp(z) / sum);
                expectedLog[r * cols + c] = (float)(z - Math.Log(sum));
            }
        }
        Check.Close(expectedP, p.ToArray(), atol: 1e-7, rtol: 1e-5, what: "softmax");
        Check.Close(expectedLog, logp.ToArray(), atol: 1e-5, rtol: 1e-5, what: "log-softmax");
    }

    [Fact]
    public void Softmax_is_stable_for_huge_logits()
    {
        var x = Tensor.FromArray([1e30f, 0f, -1e30f, 1e30f], 1, 4);
        var y = Tensor.Zeros(1, 4);
        Cpu.Softmax(y, x, 1f, log: false);
        Assert.Equal([0.5f, 0f, 0f, 0.5f], y.ToArray());
    }

    [Fact]
    public void Softmax_rejects_a_non_positive_temperature() =>
        Check.Throws<ArgumentOutOfRangeException>(() => Cpu.Softmax(Tensor.Zeros(1, 2), Tensor.Zeros(1, 2), 0f, false), "temperature", "0");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Reductions_along_each_axis_match_loops(int axis)
    {
        int[] dims = [3, 4, 5];
        var x = Check.Random(9, -1, 1, dims);
        float[] xs = x.ToArray();
        int outer = dims.Take(axis).Aggregate(1, (p, d) => p * d), n = dims[axis], inner = dims.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
        var sum = new float[outer * inner];
        var max = new float[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double s = 0;
                float mx = float.NegativeInfinity;
                for (int a = 0; a < n; a++) { float v = xs[(o * n + a) * inner + i]; s += v; mx = Math.Max(mx, v); }
                sum[o * inner + i] = (float)s;
                max[o * inner + i] = mx;
            }
        var y = Tensor.Zeros(outer * inner);
        Cpu.Reduce(ReduceOp.Sum, y, x, axis);
        Check.Close(sum, y.ToArray(), 1e-6, 1e-5, "sum");
        Cpu.Reduce(ReduceOp.Mean, y, x, axis);
        Check.Close(sum.Select(s => s / n).ToArray(), y.ToArray(), 1e-6, 1e-5, "mean");
        Cpu.Reduce(ReduceOp.Max, y, x, axis);
        Check.Close(max, y.ToArray(), 0, 0, "max");
    }

    [Fact]
    public void ArgMax_returns_the_first_largest_index_per_row()
    {
        var x = Tensor.FromArray([1, 3, 3, 0, -1, -2, 5, 5, 4], 3, 3);
        var idx = new int[3];
        Cpu.ArgMax(x, Check.Ints(idx));
        Assert.Equal([1, 0, 0], idx);
    }

    [Fact]
    public void Row_broadcast_binary_ops_apply_the_vector_to_every_row()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([10, 20, 30], 3);
        var y = Tensor.Zeros(2, 3);
        Cpu.Binary(BinaryOp.Add, y, a, b);
        Assert.Equal([11f, 22, 33, 14, 25, 36], y.ToArray());
        Cpu.Binary(BinaryOp.Multiply, y, a, b, accumulate: true);
        Assert.Equal([21f, 62, 123, 54, 125, 216], y.ToArray());
        Check.Throws<ArgumentException>(() => Cpu.Binary(BinaryOp.Add, y, a, Tensor.Zeros(2)), "[2]", "[2, 3]");
    }

    [Fact]
    public void Transpose_and_copy_along_axis_move_the_right_elements()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var t = Tensor.Zeros(3, 2);
        Cpu.TransposeLastTwo(t, x);
        Assert.Equal([1f, 4, 2, 5, 3, 6], t.ToArray());
        var wide = Tensor.Zeros(2, 5);
        Cpu.CopyAlongAxis(wide, 2, x, 0, 3, axis: 1);
        Assert.Equal([0f, 0, 1, 2, 3, 0, 0, 4, 5, 6], wide.ToArray());
    }

    [Fact]
    public void Dropout_mask_is_reproducible_and_keeps_about_1_minus_p()
    {
        var m1 = Tensor.Zeros(10000);
        var m2 = Tensor.Zeros(10000);
        Cpu.DropoutMask(m1, 0.3f, seed: 5, stream: 1);
        Cpu.DropoutMask(m2, 0.3f, seed: 5, stream: 1);
        Assert.Equal(m1.ToArray(), m2.ToArray());
        float[] values = m1.ToArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - 1f / 0.7f) < 1e-6));
        Assert.InRange(values.Count(v => v != 0f) / 10000.0, 0.68, 0.72);
        Cpu.DropoutMask(m2, 0.3f, seed: 5, stream: 2);
        Assert.NotEqual(m1.ToArray(), m2.ToArray());
    }

    [Fact]
    public void Labels_out_of_range_are_rejected_naming_label_and_index() =>
        Check.Throws<ArgumentOutOfRangeException>(
            () => Cpu.NllLoss(Tensor.Zeros(1), Tensor.Zeros(2, 3), Check.Ints(1, 3), 0f), "Label 3", "index 1");
}

public class KernelPathTests
{
    [EveryKernelPathFact]
    public void Every_kernel_path_is_tested_on_this_processor() =>
        Assert.Equal(Enum.GetValues<KernelPath>(), CpuKernels.Supported);

    // The start-up choice is tested through the function that makes it, so these hold whatever TINYKD_KERNELS this
    // test run itself was started with.
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_TINYKD_KERNELS_the_path_is_the_widest_the_processor_supports(string? value) =>
        Assert.Equal(CpuKernels.Best, CpuKernels.PathFor(value));

    [Theory]
    [InlineData("scalar", KernelPath.Scalar)]
    [InlineData("SCALAR", KernelPath.Scalar)]
    [InlineData("Avx2", KernelPath.Avx2)]
    [InlineData("avx512", KernelPath.Avx512)]
    public void TINYKD_KERNELS_chooses_the_path_it_names_case_insensitively(string value, KernelPath path)
    {
        if (CpuKernels.IsSupported(path)) Assert.Equal(path, CpuKernels.PathFor(value));
        else Check.Throws<InvalidOperationException>(() => CpuKernels.PathFor(value), value, "not supported here");
    }

    [Theory]
    [InlineData("sse")]
    [InlineData("3")]
    public void TINYKD_KERNELS_naming_no_path_is_rejected_naming_the_value(string value) =>
        Check.Throws<InvalidOperationException>(() => CpuKernels.PathFor(value), $"TINYKD_KERNELS='{value}'", "avx512, avx2, scalar");
}
