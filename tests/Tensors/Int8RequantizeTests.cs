using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Tensors;

// ICompute.Int8LinearU8, the int8 → int8 layer of a static chain: its u8 codes equal the reference requantizing
// epilogue of the reference int32 products on every kernel path and thread count, ReLU is the clamp at the zero point,
// codes saturate at 0 and 255, and the codes are exactly what the next layer's quantizer makes of Int8Linear's floats.
[Collection(CpuKernelSettingsCollection.Name)]
public class Int8RequantizeTests(ITestOutputHelper output)
{
    private static readonly CpuCompute Cpu = CpuCompute.Default;

    private void OnPath(KernelPath path, Action body) => ForcedKernelPath.Run(path, output, body);

    // u8 activations (padding garbage), 7-bit weights, a bias, the input quantization, and an output quantization
    // whose range is 60 % of the float outputs' so that codes saturate at both ends.
    private sealed record Case(int M, int K, int N, byte[] A, Int8LinearWeight Weight, sbyte[] Q, float[] Bias, ActivationQuantization Input)
    {
        public static Case Make(int m, int k, int n)
        {
            int seed = m * 1_000_000 + n * 10_000 + k;
            sbyte[] q = Int8TestData.Weights(seed, n, k);
            var weight = Int8LinearWeight.FromQuantized(q, Int8TestData.Scales(n), n, k);
            float[] bias = PathData.Uniform((ulong)seed, n, -1f, 1f);
            return new Case(m, k, n, Int8TestData.Activations(seed + 1, m, k, weight.PaddedInFeatures), weight, q, bias,
                new ActivationQuantization(0.02f, (byte)(seed % 256)));
        }

        public int[] Products() => Int8TestData.ReferenceProducts(M, A, Input.ZeroPoint, Q, Weight);

        public float[] Floats(bool relu)
        {
            var y = new float[M * N];
            Int8GemmReference.Epilogue(M, N, Products(), Input.Scale, Weight.Scales, Bias, relu, y);
            return y;
        }

        public ActivationQuantization Output()
        {
            float[] y = Floats(false);
            return ActivationQuantization.FromRange(0.6f * y.Min(), 0.6f * y.Max());
        }

        public byte[] Expected(bool relu, ActivationQuantization outputQuantization)
        {
            int stride = Int8LinearWeight.ActivationStride(N);
            var codes = new byte[M * stride];
            Int8GemmReference.Requantize(M, N, Products(), Input.Scale, Weight.Scales, Bias, relu, outputQuantization, codes, stride);
            return Rows(codes);
        }

        public byte[] Actual(bool relu, ActivationQuantization outputQuantization)
        {
            var codes = new byte[M * Int8LinearWeight.ActivationStride(N)];
            Cpu.Int8LinearU8(codes, A, M, Weight, Input, outputQuantization, Tensor.FromArray(Bias, N), relu ? Epilogue.Relu : Epilogue.None);
            return Rows(codes);
        }

        // The first N codes of each row (the padding is not part of the result).
        private byte[] Rows(byte[] codes)
        {
            int stride = Int8LinearWeight.ActivationStride(N);
            var rows = new byte[M * N];
            for (int i = 0; i < M; i++) codes.AsSpan(i * stride, N).CopyTo(rows.AsSpan(i * N));
            return rows;
        }
    }

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Codes_equal_the_reference_requantization_on_awkward_shapes(KernelPath path) => OnPath(path, () =>
    {
        foreach (int m in (int[])[1, 3, 17, 64])
            foreach (int k in (int[])[1, 13, 784])
                foreach (int n in (int[])[1, 10, 31, 128])
                {
                    var c = Case.Make(m, k, n);
                    ActivationQuantization next = c.Output();
                    foreach (bool relu in (bool[])[false, true])
                        Assert.True(c.Expected(relu, next).AsSpan().SequenceEqual(c.Actual(relu, next)), $"{path}: M {m}, K {k}, N {n}, relu {relu}");
                }
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Relu_clamps_at_the_zero_point_and_codes_saturate_at_0_and_255(KernelPath path) => OnPath(path, () =>
    {
        var c = Case.Make(17, 784, 128);
        ActivationQuantization next = c.Output();
        Assert.InRange(next.ZeroPoint, 1, 254);
        byte[] plain = c.Actual(false, next), relu = c.Actual(true, next);
        float[] y = c.Floats(false);
        Assert.Contains((byte)0, plain);
        Assert.Contains((byte)255, plain);
        Assert.Equal(next.ZeroPoint, relu.Min());
        for (int i = 0; i < y.Length; i++)
            Assert.True(relu[i] == Math.Max(plain[i], next.ZeroPoint), $"{path}: code {i} of y {y[i]}: relu {relu[i]}, plain {plain[i]}, zero point {next.ZeroPoint}");
        Assert.True(Array.IndexOf(y, y.Max()) is int top && plain[top] == 255 && relu[top] == 255);
    });

    [Fact]
    public void Codes_are_the_same_for_any_thread_count_above_the_parallel_threshold()
    {
        var c = Case.Make(64, 784, 128); // 6.4 M multiply-adds: split by rows and columns
        ActivationQuantization next = c.Output();
        byte[] expected = c.Expected(true, next);
        int saved = CpuKernels.Threads;
        try
        {
            foreach (int threads in (int[])[1, 2, 3, 4])
            {
                CpuKernels.Threads = threads;
                Assert.True(expected.AsSpan().SequenceEqual(c.Actual(true, next)), $"{threads} threads on {CpuKernels.Path}");
            }
        }
        finally
        {
            CpuKernels.Threads = saved;
        }
    }

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Fused_codes_and_floats_equal_the_unfused_layer_then_the_next_quantizer(KernelPath path) => OnPath(path, () =>
    {
        foreach ((int m, int k, int n) in ((int, int, int)[])[(1, 13, 31), (3, 784, 128), (17, 100, 10)])
            foreach (bool relu in (bool[])[false, true])
            {
                float[] xs = PathData.Uniform((ulong)(m + k + n), m * k, -1f, 3f), w = PathData.Uniform((ulong)(n * k), n * k, -0.5f, 0.5f);
                Tensor x = Tensor.FromArray(xs, m, k), bias = Tensor.FromArray(PathData.Uniform((ulong)n, n, -1f, 1f), n);
                Int8LinearWeight weight = Int8LinearWeight.Quantize(w, n, k);
                ActivationQuantization input = ActivationQuantization.FromRange(-0.8f, 2.5f), next = ActivationQuantization.FromRange(-3f, 2f);
                Tensor y = Tensor.Zeros(m, n);
                Cpu.Int8Linear(y, x, weight, bias, relu ? Epilogue.Relu : Epilogue.None, input);
                var unfused = new byte[m * n];
                next.Quantize(y.Span, unfused);

                int inStride = weight.PaddedInFeatures, outStride = Int8LinearWeight.ActivationStride(n);
                var a = new byte[m * inStride];
                for (int i = 0; i < m; i++) input.Quantize(xs.AsSpan(i * k, k), a.AsSpan(i * inStride, k));
                var codes = new byte[m * outStride];
                Cpu.Int8LinearU8(codes, a, m, weight, input, next, bias, relu ? Epilogue.Relu : Epilogue.None);
                Tensor floats = Tensor.Zeros(m, n);
                Cpu.Int8LinearU8(floats, a, weight, input, bias, relu ? Epilogue.Relu : Epilogue.None);
                for (int i = 0; i < m; i++)
                    Assert.True(unfused.AsSpan(i * n, n).SequenceEqual(codes.AsSpan(i * outStride, n)), $"{path}: M {m}, K {k}, N {n}, relu {relu}, row {i}");
                Assert.True(y.Span.SequenceEqual(floats.Span), $"{path}: float outputs, M {m}, K {k}, N {n}, relu {relu}");
            }
    });

    [Fact]
    public void Int8LinearU8_rejects_buffers_of_the_wrong_size_naming_them()
    {
        Int8LinearWeight weight = Int8LinearWeight.Quantize(new float[10 * 6], 10, 6);
        var q = new ActivationQuantization(0.1f, 3);
        Check.Throws<ArgumentException>(() => Cpu.Int8LinearU8(new byte[2 * 12], new byte[2 * 6], 2, weight, q, q), "x", "2 × 8");
        Check.Throws<ArgumentException>(() => Cpu.Int8LinearU8(new byte[2 * 10], new byte[2 * 8], 2, weight, q, q), "y", "2 × 12");
        Check.Throws<ArgumentException>(() => Cpu.Int8LinearU8(new byte[2 * 12], new byte[2 * 8], 2, weight, q, q, Tensor.Zeros(3)), "bias");
        Check.Throws<ArgumentException>(() => Cpu.Int8LinearU8(Tensor.Zeros(2, 10), new byte[3 * 8], weight, q), "24 bytes", "8 bytes");
        Check.Throws<ArgumentException>(() => Cpu.Int8LinearU8(Tensor.Zeros(2, 9), new byte[2 * 8], weight, q), "[2, 10]");
    }
}

// Both u8-input layers allocate nothing once warm (batch 64 of 784 → 1200 runs on the workers).
[Collection(AllocationCollection.Name)]
public class Int8RequantizeAllocationTests
{
    [Fact]
    public void Int8LinearU8_allocates_nothing_once_warm()
    {
        Tensor floats = Tensor.Zeros(64, 1200);
        Int8LinearWeight weight = Int8LinearWeight.Quantize(PathData.Uniform(1, 1200 * 784, -1f, 1f), 1200, 784);
        var x = new byte[64 * weight.PaddedInFeatures];
        var y = new byte[64 * Int8LinearWeight.ActivationStride(1200)];
        Tensor bias = Tensor.Zeros(1200);
        var input = new ActivationQuantization(0.01f, 0);
        var next = new ActivationQuantization(0.05f, 7);
        Allocations.AssertNone(() => CpuCompute.Default.Int8LinearU8(y, x, 64, weight, input, next, bias, Epilogue.Relu), "Int8LinearU8 64×784 → 1200 u8");
        Allocations.AssertNone(() => CpuCompute.Default.Int8LinearU8(floats, x, weight, input, bias), "Int8LinearU8 64×784 → 1200 fp32");
    }
}
