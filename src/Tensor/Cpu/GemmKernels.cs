namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The SGEMM kernels on an explicit instruction-set path and thread count, for benchmarks and tests that compare
/// paths in one process (the backend itself uses <see cref="CpuKernels.Path"/> and <see cref="CpuKernels.Threads"/>).
/// </summary>
public static class GemmKernels
{
    /// <summary>
    /// C = α·op(A)·op(B) + β·C, then C[i, j] += bias[j] and max(0, ·) when <paramref name="relu"/>. op(A) is M×K (A is
    /// stored M×K, or K×M when <paramref name="transposeA"/>), op(B) is K×N (B stored K×N, or N×K when
    /// <paramref name="transposeB"/>), C is M×N; all row-major and contiguous. With β = 0 the old C is not read.
    /// The result does not depend on <paramref name="threads"/>.
    /// </summary>
    /// <param name="path">The kernel path; it must be supported here (<see cref="CpuKernels.IsSupported"/>).</param>
    /// <param name="threads">Most tasks the output is split into (≥ 1); at most <see cref="CpuKernels.Threads"/> run at once.</param>
    /// <param name="m">Rows of C (≥ 0).</param>
    /// <param name="n">Columns of C (≥ 0).</param>
    /// <param name="k">The shared dimension (≥ 0).</param>
    /// <param name="a">A, at least M·K floats.</param>
    /// <param name="transposeA">A is stored K×M and read transposed.</param>
    /// <param name="b">B, at least K·N floats.</param>
    /// <param name="transposeB">B is stored N×K and read transposed.</param>
    /// <param name="c">C, at least M·N floats; read when β ≠ 0, written.</param>
    /// <param name="alpha">α.</param>
    /// <param name="beta">β.</param>
    /// <param name="bias">Empty, or N floats added to every row.</param>
    /// <param name="relu">Apply max(0, ·) last.</param>
    /// <exception cref="NotSupportedException">The path is not supported by this processor.</exception>
    /// <exception cref="ArgumentException">A size is negative, a span is too short or the bias has the wrong length.</exception>
    public static void Run(KernelPath path, int threads, int m, int n, int k, ReadOnlySpan<float> a, bool transposeA,
        ReadOnlySpan<float> b, bool transposeB, Span<float> c, float alpha = 1f, float beta = 0f,
        ReadOnlySpan<float> bias = default, bool relu = false)
    {
        if (!CpuKernels.IsSupported(path)) throw new NotSupportedException($"Kernel path {path} is not supported here; the widest is {CpuKernels.Best}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (a.Length < (long)m * k) throw new ArgumentException($"A has {a.Length} floats; op(A) is {m}×{k}.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"B has {b.Length} floats; op(B) is {k}×{n}.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"C has {c.Length} floats; it is {m}×{n}.", nameof(c));
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"The bias has {bias.Length} floats; C has {n} columns.", nameof(bias));
        Gemm.RunWith(path, threads, m, n, k, a, transposeA, b, transposeB, c, alpha, beta, bias, relu);
    }
}
