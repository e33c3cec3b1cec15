using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>Which GEMM implementation a case times.</summary>
public enum GemmKernel
{
    /// <summary>The cache-blocked path behind <c>CpuCompute.Gemm</c>.</summary>
    Blocked,
    /// <summary><c>GemmReference.Run</c>, the plain triple loop (double accumulation).</summary>
    Reference,
}

/// <summary>
/// One GEMM problem C = op(A)·op(B) with C M×N and shared dimension K, as a product form and a kernel.
/// </summary>
/// <param name="Form">The product in the notation of its use: "A*B" (square), "x*W^T" (Linear forward),
/// "dY*W" (input gradient), "dY^T*X" (weight gradient).</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The shared dimension.</param>
/// <param name="TransposeA">A is stored K×M and read transposed.</param>
/// <param name="TransposeB">B is stored N×K and read transposed.</param>
/// <param name="Kernel">The implementation timed.</param>
public sealed record GemmCase(string Form, int M, int N, int K, Transpose TransposeA, Transpose TransposeB, GemmKernel Kernel)
    : IComparable<GemmCase>, IComparable
{
    /// <summary>The MLP shapes, batch 128: 784-1200-1200-10's three layers.</summary>
    private const int Batch = 128;
    private static readonly (int In, int Out)[] Layers = [(784, 1200), (1200, 1200), (1200, 10)];

    /// <summary>The largest square size the reference is timed at; beyond it a run would take minutes.</summary>
    private const int LargestReferenceSquare = 256;

    /// <summary>
    /// Every case: squares 64, 256, 512, then per layer (In → Out) the forward y = x·Wᵀ (M = B, N = Out, K = In)
    /// and the two backward products dX = dY·W (M = B, N = In, K = Out) and dW = dYᵀ·X (M = Out, N = In, K = B),
    /// each with the blocked kernel and, except the 512 square, the reference.
    /// </summary>
    public static IEnumerable<GemmCase> All()
    {
        var problems = new List<GemmCase>();
        foreach (int s in (int[])[64, 256, 512])
            problems.Add(new GemmCase("A*B", s, s, s, Transpose.No, Transpose.No, GemmKernel.Blocked));
        foreach (var (input, output) in Layers)
        {
            problems.Add(new GemmCase("x*W^T", Batch, output, input, Transpose.No, Transpose.Yes, GemmKernel.Blocked));
            problems.Add(new GemmCase("dY*W", Batch, input, output, Transpose.No, Transpose.No, GemmKernel.Blocked));
            problems.Add(new GemmCase("dY^T*X", output, input, Batch, Transpose.Yes, Transpose.No, GemmKernel.Blocked));
        }
        foreach (GemmCase p in problems)
        {
            yield return p;
            bool referenceTooSlow = p.Form == "A*B" && p.M > LargestReferenceSquare;
            if (!referenceTooSlow) yield return p with { Kernel = GemmKernel.Reference };
        }
    }

    /// <summary>Floating-point operations of one call: a multiply and an add per (i, j, k).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>The shape of A as stored: [M, K], or [K, M] when read transposed.</summary>
    public int[] AShape => TransposeA == Transpose.Yes ? [K, M] : [M, K];

    /// <summary>The shape of B as stored: [K, N], or [N, K] when read transposed.</summary>
    public int[] BShape => TransposeB == Transpose.Yes ? [N, K] : [K, N];

    /// <summary>True when <paramref name="other"/> is the same problem, whatever its kernel.</summary>
    public bool SameProblem(GemmCase other) => this with { Kernel = other.Kernel } == other;

    /// <summary>Orders by problem size, then form, then kernel, so a blocked row sits beside its reference.</summary>
    public int CompareTo(GemmCase? other)
    {
        if (other is null) return 1;
        int c = Flops.CompareTo(other.Flops);
        if (c == 0) c = string.CompareOrdinal(Form, other.Form);
        if (c == 0) c = Kernel.CompareTo(other.Kernel);
        return c;
    }

    /// <summary>BenchmarkDotNet orders parameter values through the non-generic interface.</summary>
    public int CompareTo(object? obj) => CompareTo(obj as GemmCase);

    /// <summary>e.g. "Blocked x*W^T 128x1200x784" (M×N×K).</summary>
    public override string ToString() => $"{Kernel} {Form} {M}x{N}x{K}";
}
