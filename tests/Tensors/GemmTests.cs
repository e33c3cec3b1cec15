using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// The blocked GEMM against the triple-loop reference on awkward shapes, every transpose form and α/β/epilogue.
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 7, 1 }, { 7, 3, 17 }, { 17, 33, 7 }, { 33, 17, 100 }, { 100, 3, 257 }, { 65, 1025, 33 }, { 3, 10, 300 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void Blocked_gemm_matches_reference_in_every_transpose_form(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                Compare(m, n, k, ta, tb, alpha: 1f, beta: 0f, bias: false, relu: false);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Blocked_gemm_matches_reference_with_alpha_beta_bias_and_relu(int m, int n, int k)
    {
        Compare(m, n, k, false, true, alpha: 0.5f, beta: 1f, bias: true, relu: true);
        Compare(m, n, k, true, false, alpha: -2f, beta: 0.25f, bias: false, relu: false);
        Compare(m, n, k, false, false, alpha: 1f, beta: 0f, bias: true, relu: false);
    }

    [Fact]
    public void Zero_inner_dimension_leaves_beta_times_c_plus_bias()
    {
        var c = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        CpuCompute.Default.Gemm(c, Tensor.Zeros(2, 0), Transpose.No, Tensor.Zeros(0, 2), Transpose.No, 1f, 2f, Tensor.FromArray([10, 20], 2));
        Assert.Equal([12f, 24, 16, 28], c.ToArray());
    }

    [Fact]
    public void Mismatched_inner_dimensions_are_rejected_naming_the_shapes() =>
        Check.Throws<ArgumentException>(
            () => CpuCompute.Default.Gemm(Tensor.Zeros(2, 2), Tensor.Zeros(2, 3), Transpose.No, Tensor.Zeros(4, 2), Transpose.No),
            "[2, 3]", "[4, 2]");

    private static void Compare(int m, int n, int k, bool ta, bool tb, float alpha, float beta, bool bias, bool relu)
    {
        ulong seed = (ulong)(m * 1_000_003 + n * 1009 + k);
        var a = ta ? Check.Random(seed, -1, 1, k, m) : Check.Random(seed, -1, 1, m, k);
        var b = tb ? Check.Random(seed + 1, -1, 1, n, k) : Check.Random(seed + 1, -1, 1, k, n);
        var c = Check.Random(seed + 2, -1, 1, m, n);
        var biasTensor = bias ? Check.Random(seed + 3, -1, 1, n) : default;
        float[] expected = c.ToArray();
        GemmReference.Run(m, n, k, a.Span, ta, b.Span, tb, expected, alpha, beta, bias ? biasTensor.Span : default, relu);
        CpuCompute.Default.Gemm(c, a, ta ? Transpose.Yes : Transpose.No, b, tb ? Transpose.Yes : Transpose.No, alpha, beta,
            biasTensor, relu ? Epilogue.Relu : Epilogue.None);
        Check.Close(expected, c.ToArray(), atol: 1e-5 * Math.Sqrt(k), rtol: 1e-5, what: $"gemm m={m} n={n} k={k} ta={ta} tb={tb} seed={seed}");
    }
}
