using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// Every SGEMM path (scalar, AVX2, AVX-512, each forced explicitly through GemmKernels.Run) against the triple-loop
// reference on awkward shapes, every transpose form, α/β, bias and ReLU, on one and several threads.
public class GemmTests
{
    // (M, N, K): ones, primes and non-multiples of the tiles (12×32, 6×16, 4×4) and of 16; K = 1; thin N = 10 and
    // M = 10 (the transposed-output route); M = 1 (the GEMV route); K above the K block (several blocks), N above
    // the N block, M above the M block.
    public static readonly (int M, int N, int K)[] ShapeList =
    [
        (1, 1, 1), (1, 10, 300), (1, 257, 33), (1, 1000, 17), (3, 7, 1), (7, 3, 17), (17, 33, 7), (33, 17, 100),
        (100, 3, 257), (13, 1000, 3), (1000, 10, 33), (10, 257, 128), (128, 10, 100), (257, 100, 17), (33, 257, 1000),
        (100, 100, 1), (2, 2, 1000), (1300, 64, 20), (37, 97, 513),
    ];

    public static TheoryData<KernelPath, int, int, int> PathsAndShapes()
    {
        var data = new TheoryData<KernelPath, int, int, int>();
        foreach (KernelPath path in CpuKernels.Supported)
            foreach (var (m, n, k) in ShapeList) data.Add(path, m, n, k);
        return data;
    }

    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in CpuKernels.Supported) data.Add(path);
        return data;
    }

    [Theory, MemberData(nameof(PathsAndShapes))]
    public void Every_path_matches_reference_in_every_transpose_form(KernelPath path, int m, int n, int k)
    {
        foreach (int threads in (int[])[1, 2])
            foreach (bool ta in (bool[])[false, true])
                foreach (bool tb in (bool[])[false, true])
                    Compare(path, threads, m, n, k, ta, tb, alpha: 1f, beta: 0f, bias: false, relu: false);
    }

    [Theory, MemberData(nameof(PathsAndShapes))]
    public void Every_path_matches_reference_with_alpha_beta_bias_and_relu(KernelPath path, int m, int n, int k)
    {
        foreach (int threads in (int[])[1, 2])
        {
            Compare(path, threads, m, n, k, false, true, alpha: 0.5f, beta: 1f, bias: true, relu: true);
            Compare(path, threads, m, n, k, true, false, alpha: -2f, beta: 0.25f, bias: false, relu: false);
            Compare(path, threads, m, n, k, false, false, alpha: 1f, beta: 0f, bias: true, relu: false);
            Compare(path, threads, m, n, k, true, true, alpha: 1.5f, beta: -1f, bias: true, relu: true);
        }
    }

    // Every M and N from 1 to three tiles (or vectors) + 1, so each remainder of every tile width is hit.
    [Theory, MemberData(nameof(Paths))]
    public void Every_path_matches_reference_for_every_small_width(KernelPath path)
    {
        for (int m = 1; m <= 3 * 12 + 1; m++)
            Compare(path, 1, m, 17, 5, m % 2 == 0, m % 3 == 0, alpha: 1f, beta: 0.5f, bias: true, relu: false);
        for (int n = 1; n <= 3 * 32 + 1; n++)
            Compare(path, 1, 13, n, 9, n % 2 == 0, n % 3 == 0, alpha: 1f, beta: 0.5f, bias: true, relu: false);
        for (int k = 0; k <= 3 * 16 + 1; k++)
            Compare(path, 1, 14, 33, k, k % 2 == 0, k % 3 == 0, alpha: 1f, beta: 0.5f, bias: true, relu: false);
    }

    [Theory, MemberData(nameof(PathsAndShapes))]
    public void Results_are_bit_identical_on_one_two_and_three_threads(KernelPath path, int m, int n, int k)
    {
        foreach (bool ta in (bool[])[false, true])
            foreach (bool tb in (bool[])[false, true])
            {
                float[] one = Product(path, 1, m, n, k, ta, tb, alpha: 0.75f, beta: 0.5f, bias: true, relu: true);
                foreach (int threads in (int[])[2, 3])
                {
                    float[] many = Product(path, threads, m, n, k, ta, tb, alpha: 0.75f, beta: 0.5f, bias: true, relu: true);
                    for (int i = 0; i < one.Length; i++)
                        if (BitConverter.SingleToInt32Bits(one[i]) != BitConverter.SingleToInt32Bits(many[i]))
                            Assert.Fail($"{path} m={m} n={n} k={k} ta={ta} tb={tb}: C[{i}] is {one[i]:G9} on 1 thread, {many[i]:G9} on {threads}");
                }
            }
    }

    // Shapes above the parallel thresholds of each route (2^18 multiply-adds for the GEMV/short-A path, 2^20 for the
    // packed one), so the 2- and 3-thread runs really split the work: batch-1 and short-batch x·Wᵀ at the teacher's
    // layer, the 10-wide logits layer (thin N) at a large batch, and a blocked product with remainders everywhere.
    public static TheoryData<KernelPath, int, int, int> PathsAndParallelShapes()
    {
        var data = new TheoryData<KernelPath, int, int, int>();
        foreach (KernelPath path in CpuKernels.Supported)
            foreach (var (m, n, k) in new[] { (1, 1200, 784), (3, 1200, 784), (4, 1001, 300), (1024, 10, 1200), (301, 517, 700) })
                data.Add(path, m, n, k);
        return data;
    }

    [Theory, MemberData(nameof(PathsAndParallelShapes))]
    public void Results_are_bit_identical_across_thread_counts_above_the_parallel_thresholds(KernelPath path, int m, int n, int k) =>
        Results_are_bit_identical_on_one_two_and_three_threads(path, m, n, k);

    // x·Wᵀ with 2–4 rows reads each pair of W rows once for all rows (Gemm.VectorRows.cs); every element must still be
    // the bits the one-row GEMV gives for its row alone, whatever the rows it shares the pass with.
    [Theory, MemberData(nameof(Paths))]
    public void Short_x_times_w_transposed_equals_each_row_alone_bit_for_bit(KernelPath path)
    {
        foreach (int k in (int[])[1, 7, 8, 15, 16, 17, 31, 32, 33, 48, 789])
            foreach (int m in (int[])[2, 3, 4])
            {
                const int n = 7; // three pairs of W rows and an odd one
                var a = Check.Random((ulong)(k * 10 + m), -1, 1, m, k);
                var w = Check.Random((ulong)(k * 10 + m + 5), -1, 1, n, k);
                var bias = Check.Random(3, -1, 1, n);
                float[] together = new float[m * n];
                GemmKernels.Run(path, 1, m, n, k, a.Span, false, w.Span, true, together, 0.5f, 0f, bias.Span, relu: true);
                for (int i = 0; i < m; i++)
                {
                    float[] alone = new float[n];
                    GemmKernels.Run(path, 1, 1, n, k, a.Span.Slice(i * k, k), false, w.Span, true, alone, 0.5f, 0f, bias.Span, relu: true);
                    for (int j = 0; j < n; j++)
                        if (BitConverter.SingleToInt32Bits(alone[j]) != BitConverter.SingleToInt32Bits(together[i * n + j]))
                            Assert.Fail($"{path} m={m} k={k}: C[{i}, {j}] is {together[i * n + j]:G9} among {m} rows, {alone[j]:G9} alone");
                }
            }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Beta_zero_ignores_what_c_held(KernelPath path)
    {
        foreach (var (m, n, k) in (ReadOnlySpan<(int, int, int)>)[(1, 40, 20), (20, 40, 20), (20, 5, 20)])
        {
            var a = Check.Random(1, -1, 1, m, k);
            var b = Check.Random(2, -1, 1, k, n);
            float[] expected = new float[m * n], c = new float[m * n];
            Array.Fill(c, float.NaN);
            GemmReference.Run(m, n, k, a.Span, false, b.Span, false, expected, 1f, 0f, default, false);
            GemmKernels.Run(path, 2, m, n, k, a.Span, false, b.Span, false, c, 1f, 0f);
            Check.Close(expected, c, atol: 1e-5 * Math.Sqrt(k), rtol: 1e-5, what: $"{path} β=0 over NaN m={m} n={n} k={k}");
        }
    }

    [Fact]
    public void Blocked_gemm_through_the_backend_matches_reference() =>
        CompareBackend(65, 1025, 33, false, true, alpha: 0.5f, beta: 1f, bias: true, relu: true);

    [Fact]
    public void Zero_inner_dimension_leaves_beta_times_c_plus_bias()
    {
        var c = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        CpuCompute.Default.Gemm(c, Tensor.Zeros(2, 0), Transpose.No, Tensor.Zeros(0, 2), Transpose.No, 1f, 2f, Tensor.FromArray([10, 20], 2));
        Assert.Equal([12f, 24, 16, 28], c.ToArray());
    }

    [Fact]
    public void Zero_alpha_leaves_beta_times_c_plus_bias_with_relu()
    {
        float[] c = [1, -2, 3, -4];
        GemmKernels.Run(CpuKernels.Best, 1, 2, 2, 3, new float[6], false, new float[6], false, c, alpha: 0f, beta: 2f, bias: [-3, 1], relu: true);
        Assert.Equal([0f, 0, 3, 0], c);
    }

    [Fact]
    public void Mismatched_inner_dimensions_are_rejected_naming_the_shapes() =>
        Check.Throws<ArgumentException>(
            () => CpuCompute.Default.Gemm(Tensor.Zeros(2, 2), Tensor.Zeros(2, 3), Transpose.No, Tensor.Zeros(4, 2), Transpose.No),
            "[2, 3]", "[4, 2]");

    [Fact]
    public void Explicit_path_entry_rejects_a_short_operand_naming_it() =>
        Check.Throws<ArgumentException>(
            () => GemmKernels.Run(KernelPath.Scalar, 1, 2, 3, 4, new float[7], false, new float[12], false, new float[6]),
            "A has 7", "2×4");

    private static void Compare(KernelPath path, int threads, int m, int n, int k, bool ta, bool tb, float alpha, float beta, bool bias, bool relu)
    {
        ulong seed = Seed(m, n, k);
        var (a, b, c, biasTensor) = Operands(seed, m, n, k, ta, tb, bias);
        float[] expected = c.ToArray();
        GemmReference.Run(m, n, k, a.Span, ta, b.Span, tb, expected, alpha, beta, bias ? biasTensor.Span : default, relu);
        GemmKernels.Run(path, threads, m, n, k, a.Span, ta, b.Span, tb, c.Span, alpha, beta, bias ? biasTensor.Span : default, relu);
        Check.Close(expected, c.ToArray(), atol: 1e-5 * Math.Sqrt(Math.Max(k, 1)), rtol: 1e-5,
            what: $"{path} threads={threads} m={m} n={n} k={k} ta={ta} tb={tb} α={alpha} β={beta} bias={bias} relu={relu} seed={seed}");
    }

    private static float[] Product(KernelPath path, int threads, int m, int n, int k, bool ta, bool tb, float alpha, float beta, bool bias, bool relu)
    {
        var (a, b, c, biasTensor) = Operands(Seed(m, n, k), m, n, k, ta, tb, bias);
        GemmKernels.Run(path, threads, m, n, k, a.Span, ta, b.Span, tb, c.Span, alpha, beta, bias ? biasTensor.Span : default, relu);
        return c.ToArray();
    }

    private static void CompareBackend(int m, int n, int k, bool ta, bool tb, float alpha, float beta, bool bias, bool relu)
    {
        ulong seed = Seed(m, n, k);
        var (a, b, c, biasTensor) = Operands(seed, m, n, k, ta, tb, bias);
        float[] expected = c.ToArray();
        GemmReference.Run(m, n, k, a.Span, ta, b.Span, tb, expected, alpha, beta, bias ? biasTensor.Span : default, relu);
        CpuCompute.Default.Gemm(c, a, ta ? Transpose.Yes : Transpose.No, b, tb ? Transpose.Yes : Transpose.No, alpha, beta,
            biasTensor, relu ? Epilogue.Relu : Epilogue.None);
        Check.Close(expected, c.ToArray(), atol: 1e-5 * Math.Sqrt(k), rtol: 1e-5, what: $"backend gemm m={m} n={n} k={k} ta={ta} tb={tb} seed={seed}");
    }

    private static ulong Seed(int m, int n, int k) => (ulong)(m * 1_000_003 + n * 1009 + k);

    private static (Tensor A, Tensor B, Tensor C, Tensor Bias) Operands(ulong seed, int m, int n, int k, bool ta, bool tb, bool bias)
    {
        var a = ta ? Check.Random(seed, -1, 1, k, m) : Check.Random(seed, -1, 1, m, k);
        var b = tb ? Check.Random(seed + 1, -1, 1, n, k) : Check.Random(seed + 1, -1, 1, k, n);
        var c = Check.Random(seed + 2, -1, 1, m, n);
        var biasTensor = bias ? Check.Random(seed + 3, -1, 1, n) : default;
        return (a, b, c, biasTensor);
    }
}
