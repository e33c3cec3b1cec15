using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Tensors;

// ICompute.Int8Linear with CpuKernels.Path forced: its floats equal the reference epilogue applied to the reference
// int32 products (so every path gives the same y), they stay within the quantization error of the fp32 GEMM, and
// the seam names the shapes it rejects.
[Collection(CpuKernelSettingsCollection.Name)]
public class Int8LinearTests(ITestOutputHelper output)
{
    private static readonly CpuCompute Cpu = CpuCompute.Default;

    private void OnPath(KernelPath path, Action body) => ForcedKernelPath.Run(path, output, body);

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Output_equals_the_reference_epilogue_of_the_reference_products(KernelPath path) => OnPath(path, () =>
    {
        foreach ((int m, int n, int k) in ((int, int, int)[])[(1, 17, 3), (3, 33, 17), (5, 100, 1025), (9, 10, 784)])
            foreach (bool relu in (bool[])[false, true])
            {
                float[] w = PathData.Uniform((ulong)(n * k), n * k, -0.5f, 0.5f), x = PathData.Uniform((ulong)(m * k), m * k, -1f, 3f);
                float[] b = PathData.Uniform((ulong)n, n, -1f, 1f);
                Int8LinearWeight weight = Int8LinearWeight.Quantize(w, n, k);
                ActivationQuantization p = ActivationQuantization.FromData(x);
                int stride = weight.PaddedInFeatures;
                var a = new byte[m * stride];
                for (int i = 0; i < m; i++) p.Quantize(x.AsSpan(i * k, k), a.AsSpan(i * stride, k));
                var q = new sbyte[n * k];
                for (int o = 0; o < n; o++)
                    for (int i = 0; i < k; i++) q[o * k + i] = weight[o, i];
                int[] c = Int8TestData.ReferenceProducts(m, a, p.ZeroPoint, q, weight);
                var expected = new float[m * n];
                Int8GemmReference.Epilogue(m, n, c, p.Scale, weight.Scales, b, relu, expected);

                Tensor y = Tensor.Zeros(m, n);
                Cpu.Int8Linear(y, Tensor.FromArray(x, m, k), weight, Tensor.FromArray(b, n), relu ? Epilogue.Relu : Epilogue.None);
                Assert.True(expected.AsSpan().SequenceEqual(y.Span), $"{path}, M {m}, N {n}, K {k}, relu {relu}");
            }
    });

    [Fact]
    public void Output_is_within_the_quantization_error_of_the_fp32_gemm()
    {
        const int m = 4, n = 30, k = 200;
        float[] w = PathData.Uniform(1, n * k, -0.3f, 0.3f), x = PathData.Uniform(2, m * k, 0f, 2f), b = PathData.Uniform(3, n, -1f, 1f);
        Int8LinearWeight weight = Int8LinearWeight.Quantize(w, n, k);
        ActivationQuantization p = ActivationQuantization.FromData(x);
        Tensor y8 = Tensor.Zeros(m, n), y32 = Tensor.Zeros(m, n), bias = Tensor.FromArray(b, n);
        Cpu.Int8Linear(y8, Tensor.FromArray(x, m, k), weight, bias);
        Cpu.Gemm(y32, Tensor.FromArray(x, m, k), Transpose.No, Tensor.FromArray(w, n, k), Transpose.Yes, bias: bias);
        for (int i = 0; i < m; i++)
            for (int o = 0; o < n; o++)
            {
                // |x·w − x̂·ŵ| ≤ Σ_k |x|·s_w/2 + |w|·s_x/2 + s_x·s_w/4 (each factor off by at most half its step).
                double sw = weight.Scale(o), bound = 1e-4;
                for (int kk = 0; kk < k; kk++)
                    bound += Math.Abs(x[i * k + kk]) * sw / 2 + Math.Abs(w[o * k + kk]) * p.Scale / 2 + sw * p.Scale / 4;
                Assert.True(Math.Abs(y8.Span[i * n + o] - y32.Span[i * n + o]) <= bound,
                    $"y[{i}, {o}]: int8 {y8.Span[i * n + o]}, fp32 {y32.Span[i * n + o]}, bound {bound}");
            }
    }

    [Fact]
    public void Static_and_dynamic_quantization_agree_when_given_the_same_range()
    {
        float[] w = PathData.Uniform(4, 20 * 9, -1f, 1f), x = PathData.Uniform(5, 3 * 9, -2f, 2f);
        Int8LinearWeight weight = Int8LinearWeight.Quantize(w, 20, 9);
        Tensor dynamic = Tensor.Zeros(3, 20), fixedRange = Tensor.Zeros(3, 20);
        Cpu.Int8Linear(dynamic, Tensor.FromArray(x, 3, 9), weight);
        Cpu.Int8Linear(fixedRange, Tensor.FromArray(x, 3, 9), weight, activation: ActivationQuantization.FromData(x));
        Assert.Equal(dynamic.Span.ToArray(), fixedRange.Span.ToArray());
    }

    [Fact]
    public void Int8Linear_rejects_mismatched_shapes_naming_them()
    {
        Int8LinearWeight weight = Int8LinearWeight.Quantize(new float[10 * 6], 10, 6);
        var e = Assert.Throws<ArgumentException>(() => Cpu.Int8Linear(Tensor.Zeros(2, 10), Tensor.Zeros(2, 5), weight));
        Assert.Contains("[2, 5]", e.Message);
        Assert.Contains("[B, 6]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Cpu.Int8Linear(Tensor.Zeros(2, 9), Tensor.Zeros(2, 6), weight));
        Assert.Contains("[2, 10]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Cpu.Int8Linear(Tensor.Zeros(2, 10), Tensor.Zeros(2, 6), weight, Tensor.Zeros(3)));
        Assert.Contains("bias", e.Message);
    }
}

// Int8Linear allocates nothing once warm, on the calling thread or the workers (batch 64 of 784 → 1200 runs parallel).
[Collection(AllocationCollection.Name)]
public class Int8LinearAllocationTests
{
    [Fact]
    public void Int8Linear_allocates_nothing_once_warm()
    {
        Int8LinearWeight weight = Int8LinearWeight.Quantize(PathData.Uniform(1, 1200 * 784, -1f, 1f), 1200, 784);
        Tensor x = Tensor.FromArray(PathData.Uniform(2, 64 * 784, 0f, 1f), 64, 784), y = Tensor.Zeros(64, 1200), bias = Tensor.Zeros(1200);
        Allocations.AssertNone(() => CpuCompute.Default.Int8Linear(y, x, weight, bias, Epilogue.Relu), "Int8Linear 64×784 → 1200");
    }
}
