using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>What a GEMM benchmark case times.</summary>
public enum GemmKernel
{
    /// <summary>The hand-written SGEMM (<c>GemmKernels.Run</c>) on the case's <see cref="GemmCase.Path"/> and
    /// <see cref="GemmCase.Threads"/>.</summary>
    Blocked,
    /// <summary><c>GemmReference.Run</c>, the plain triple loop (double accumulation), one thread.</summary>
    Reference,
    /// <summary>
    /// Not a product: <see cref="PeakFlops.FmaLoop(long)"/>, 12 independent FMA chains per thread on the widest vectors
    /// (the register-only loop that bounds any SGEMM, the one tinykd bench measures), on
    /// <see cref="GemmCase.Threads"/> threads. It gives the "% peak" column its denominator.
    /// </summary>
    FmaPeak,
}

/// <summary>
/// One GEMM problem C = op(A)·op(B) with C M×N and shared dimension K, as a product form and what times it.
/// </summary>
/// <param name="Form">The product in the notation of its use: "A*B" (square), "x*W^T" (Linear forward; M = 1 is
/// batch-1 inference), "dY*W" (input gradient), "dY^T*X" (weight gradient), "peak" (the FMA loop).</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The shared dimension.</param>
/// <param name="TransposeA">A is stored K×M and read transposed.</param>
/// <param name="TransposeB">B is stored N×K and read transposed.</param>
/// <param name="Kernel">What is timed.</param>
public sealed record GemmCase(string Form, int M, int N, int K, Transpose TransposeA, Transpose TransposeB, GemmKernel Kernel)
    : IComparable<GemmCase>, IComparable
{
    private static readonly int[] Squares = [64, 128, 256, 512, 1024, 2048];

    /// <summary>The largest square size the reference is timed at; beyond it a run would take minutes.</summary>
    private const int LargestReferenceSquare = 256;

    /// <summary>The largest square size the scalar path is timed at (2048³ takes seconds per call there).</summary>
    private const int LargestScalarSquare = 512;

    /// <summary>FMA-loop iterations per thread of a <see cref="GemmKernel.FmaPeak"/> call (about 3 ms).</summary>
    public const int PeakIterations = 1 << 20;

    /// <summary>The kernel path of a <see cref="GemmKernel.Blocked"/> case.</summary>
    public KernelPath Path { get; init; } = CpuKernels.Best;

    /// <summary>Threads of a <see cref="GemmKernel.Blocked"/> or <see cref="GemmKernel.FmaPeak"/> case.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Every case: squares 64 … 2048; per layer (In → Out) of <see cref="BenchCases.TeacherLayers"/> at batch
    /// B = <see cref="BenchCases.TrainBatch"/> (<see cref="BenchCases.Products"/>) the forward y = x·Wᵀ (M = B,
    /// N = Out, K = In), the two backward products dX = dY·W (M = B, N = In, K = Out) and dW = dYᵀ·X (M = Out, N = In, K = B), and the batch-1
    /// forward (M = 1). Each on every supported path, on one thread and on all, plus the reference (one thread;
    /// squares up to 256) and the FMA peak on one thread and on all. The scalar path skips squares above 512.
    /// </summary>
    public static IEnumerable<GemmCase> All()
    {
        int[] threadCounts = Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
        if (PeakFlops.VectorBitsHere > 0)
            foreach (int t in threadCounts)
                yield return new GemmCase("peak", 0, 0, 0, Transpose.No, Transpose.No, GemmKernel.FmaPeak) { Threads = t };

        var problems = new List<GemmCase>();
        foreach (int s in Squares)
            problems.Add(new GemmCase("A*B", s, s, s, Transpose.No, Transpose.No, GemmKernel.Blocked));
        foreach (var (input, output) in BenchCases.TeacherLayers)
        {
            IEnumerable<LayerProduct> batch1Forward = BenchCases.Products(input, output, 1).Where(p => p.Name == "forward");
            foreach (LayerProduct p in BenchCases.Products(input, output, BenchCases.TrainBatch).Concat(batch1Forward))
                problems.Add(new GemmCase(p.Form, p.M, p.N, p.K, p.TransposeA, p.TransposeB, GemmKernel.Blocked));
        }
        foreach (GemmCase p in problems)
        {
            bool square = p.Form == "A*B";
            foreach (KernelPath path in CpuKernels.Supported.Reverse())
            {
                if (path == KernelPath.Scalar && square && p.M > LargestScalarSquare) continue;
                foreach (int t in threadCounts) yield return p with { Path = path, Threads = t };
            }
            if (!(square && p.M > LargestReferenceSquare)) yield return p with { Kernel = GemmKernel.Reference };
        }
    }

    /// <summary>Floating-point operations of one call: a multiply and an add per (i, j, k), or per FMA lane.</summary>
    public double Flops => Kernel == GemmKernel.FmaPeak
        ? 2.0 * PeakIterations * PeakFlops.Accumulators * PeakLanes * Threads
        : 2.0 * M * N * K;

    /// <summary>Lanes of the FMA loop's vectors: 16 with AVX-512, 8 with AVX2.</summary>
    public static int PeakLanes => PeakFlops.VectorBitsHere / 32;

    /// <summary>The shape of A as stored: [M, K], or [K, M] when read transposed.</summary>
    public int[] AShape => TransposeA == Transpose.Yes ? [K, M] : [M, K];

    /// <summary>The shape of B as stored: [K, N], or [N, K] when read transposed.</summary>
    public int[] BShape => TransposeB == Transpose.Yes ? [N, K] : [K, N];

    /// <summary>True when <paramref name="other"/> is the same problem, whatever its kernel, path or threads.</summary>
    public bool SameProblem(GemmCase other) => this with { Kernel = other.Kernel, Path = other.Path, Threads = other.Threads } == other;

    /// <summary>Orders the peak first, then by problem size and form; within a problem the reference, then the
    /// paths widest first, one thread before all.</summary>
    public int CompareTo(GemmCase? other)
    {
        if (other is null) return 1;
        int c = (other.Kernel == GemmKernel.FmaPeak).CompareTo(Kernel == GemmKernel.FmaPeak);
        if (c == 0) c = (2.0 * M * N * K).CompareTo(2.0 * other.M * other.N * other.K);
        if (c == 0) c = string.CompareOrdinal(Form, other.Form);
        if (c == 0) c = M.CompareTo(other.M);
        if (c == 0) c = other.Kernel.CompareTo(Kernel);
        if (c == 0) c = other.Path.CompareTo(Path);
        if (c == 0) c = Threads.CompareTo(other.Threads);
        return c;
    }

    /// <summary>BenchmarkDotNet orders parameter values through the non-generic interface.</summary>
    public int CompareTo(object? obj) => CompareTo(obj as GemmCase);

    /// <summary>e.g. "Avx512 x*W^T 128x1200x784 2T" (M×N×K, threads), "Reference dY*W 128x784x1200", "FMA peak 1T".</summary>
    public override string ToString() => Kernel switch
    {
        GemmKernel.FmaPeak => $"FMA peak {Threads}T",
        GemmKernel.Reference => $"Reference {Form} {M}x{N}x{K}",
        _ => $"{Path} {Form} {M}x{N}x{K} {Threads}T",
    };
}
