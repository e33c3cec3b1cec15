using System.Diagnostics;
using TinyKd.Tensors;

namespace TinyKd.Cli.Bench;

/// <summary>
/// One GEMM timed against OpenBLAS in the same process (<c>tinykd bench --openblas</c>): the two engines alternate,
/// round after round, on the same operands, and each keeps its best round, so a burst of load from elsewhere on the
/// machine hits both rather than whichever ran at the time.
/// </summary>
/// <param name="Id">The GEMM row's identifier (<see cref="BenchResult.Id"/>).</param>
/// <param name="What">The GEMM row's label.</param>
/// <param name="M">Rows of op(A) and C.</param>
/// <param name="N">Columns of op(B) and C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="TransposeA">A stored [K, M].</param>
/// <param name="TransposeB">B stored [N, K].</param>
/// <param name="Threads">Threads of both engines.</param>
/// <param name="TinyKdSeconds">TinyKd's best round, seconds per call.</param>
/// <param name="OpenBlasSeconds">OpenBLAS's best round, seconds per call.</param>
internal sealed record OpenBlasComparison(string Id, string What, int M, int N, int K, bool TransposeA, bool TransposeB, int Threads,
    double TinyKdSeconds, double OpenBlasSeconds)
{
    /// <summary>OpenBLAS's time ÷ TinyKd's: above 1, TinyKd is faster.</summary>
    public double Ratio => OpenBlasSeconds / TinyKdSeconds;

    /// <summary>TinyKd's GFLOP/s in its best round.</summary>
    public double TinyKdGflops => 2.0 * M * N * K / TinyKdSeconds / 1e9;

    /// <summary>OpenBLAS's GFLOP/s in its best round.</summary>
    public double OpenBlasGflops => 2.0 * M * N * K / OpenBlasSeconds / 1e9;

    /// <summary>
    /// Times <paramref name="gemm"/> in both engines on <paramref name="threads"/> threads. Rounds: 15 (3 with the quick
    /// budget), each about <see cref="BenchBudget.RepetitionSeconds"/> × 5 per engine after a warm-up of each.
    /// </summary>
    /// <exception cref="InvalidOperationException">The two engines' results differ by more than rounding (a wrong call
    /// would otherwise be timed as a fast one).</exception>
    public static OpenBlasComparison Run(OpenBlas blas, GemmCase gemm, int threads, BenchBudget budget)
    {
        bool ta = gemm.TransposeA == Transpose.Yes, tb = gemm.TransposeB == Transpose.Yes;
        var rng = new Rng(11);
        Tensor a = BenchData.Uniform(rng, -1f, 1f, ta ? [gemm.K, gemm.M] : [gemm.M, gemm.K]);
        Tensor b = BenchData.Uniform(rng, -1f, 1f, tb ? [gemm.N, gemm.K] : [gemm.K, gemm.N]);
        Tensor ours = Tensor.Zeros(gemm.M, gemm.N), theirs = Tensor.Zeros(gemm.M, gemm.N);
        Tensors.Cpu.CpuKernels.Threads = threads;
        blas.SetThreads(threads);
        Action tinyKd = () => Tensors.CpuCompute.Default.Gemm(ours, a, gemm.TransposeA, b, gemm.TransposeB);
        Action openBlas = () => blas.Sgemm(gemm.M, gemm.N, gemm.K, a.Span, ta, b.Span, tb, theirs.Span);
        int innerOurs = Warm(tinyKd, budget), innerTheirs = Warm(openBlas, budget);
        Check(gemm, ours.Span, theirs.Span);

        double bestOurs = double.MaxValue, bestTheirs = double.MaxValue;
        int rounds = budget == BenchBudget.Quick ? 3 : 15;
        for (int r = 0; r < rounds; r++)
        {
            bestOurs = Math.Min(bestOurs, Round(tinyKd, innerOurs));
            bestTheirs = Math.Min(bestTheirs, Round(openBlas, innerTheirs));
        }
        return new OpenBlasComparison(gemm.Id, gemm.What, gemm.M, gemm.N, gemm.K, ta, tb, threads, bestOurs, bestTheirs);
    }

    // Warm-up; returns the calls per round that make a round last about five repetitions of the budget.
    private static int Warm(Action body, BenchBudget budget) =>
        (int)Math.Clamp(Math.Ceiling(5 * budget.RepetitionSeconds / MedianTimer.WarmUp(body, budget)), 1, 100_000);

    private static double Round(Action body, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) body();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
    }

    // Both results must agree to FP32 rounding of a K-term sum of products of values in [-1, 1].
    private static void Check(GemmCase gemm, ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
    {
        float tolerance = 1e-5f * gemm.K + 1e-5f;
        for (int i = 0; i < ours.Length; i++)
            if (!(Math.Abs(ours[i] - theirs[i]) <= tolerance))
                throw new InvalidOperationException(
                    $"{gemm.What}: TinyKd and OpenBLAS differ at C[{i / gemm.N}, {i % gemm.N}] ({ours[i]} vs {theirs[i]}); not timed");
    }
}
