using System.Diagnostics;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

/// <summary>One measured sparsity: the time of one dense and one sparse forward of the same layer.</summary>
/// <param name="Sparsity">Fraction of W's elements that are zero.</param>
/// <param name="DenseSeconds">Best time of one dense call (x·Wᵀ + b through the GEMM).</param>
/// <param name="SparseSeconds">Best time of one sparse call (the same product through <see cref="SparseKernels"/>).</param>
public readonly record struct SparseTiming(double Sparsity, double DenseSeconds, double SparseSeconds)
{
    /// <summary>Dense time / sparse time: above 1 the sparse kernel is faster.</summary>
    public double Speedup => DenseSeconds / SparseSeconds;
}

/// <summary>Where sparse starts to pay for one layer shape and batch on this machine.</summary>
/// <param name="InFeatures">In (W's columns).</param>
/// <param name="OutFeatures">Out (W's rows).</param>
/// <param name="Batch">Rows of x.</param>
/// <param name="Format">The sparse layout timed.</param>
/// <param name="Crossover">The lowest measured sparsity from which on sparse is faster at every measured sparsity,
/// or 1 when it is faster at none (keep the layer dense).</param>
/// <param name="Timings">Every measured point, by rising sparsity.</param>
public sealed record SparseCrossoverResult(int InFeatures, int OutFeatures, int Batch, SparseFormat Format, double Crossover,
    IReadOnlyList<SparseTiming> Timings)
{
    /// <summary>True when a layer of this shape at <paramref name="sparsity"/> should run sparse.</summary>
    public bool PrefersSparse(double sparsity) => sparsity >= Crossover;
}

/// <summary>
/// Measures on this machine, with the current <see cref="CpuKernels.Path"/> and <see cref="CpuKernels.Threads"/>, the
/// sparsity above which a Linear layer's forward is faster sparse than dense — the number that decides per layer
/// whether a pruned model runs dense or sparse, instead of a guessed constant.
/// </summary>
/// <remarks>
/// For each sparsity of <see cref="Sparsities"/> a seeded W is pruned at random (element by element for CSR, in 8×1
/// blocks for the blocked layout, as a block pruner leaves it) and dense and sparse calls are timed in alternation,
/// several rounds each, keeping each side's best round: on a shared machine the best is the least disturbed estimate,
/// and alternating exposes both sides to the same clock and cache state. A call takes a 0.3 s warm-up plus about
/// <see cref="Rounds"/> × 2 × 2 ms per point: about half a second for the MLP layers.
/// </remarks>
public static class SparseCrossover
{
    /// <summary>The sparsities measured.</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99];

    /// <summary>Alternating rounds of dense and sparse timing per sparsity.</summary>
    public const int Rounds = 7;

    /// <summary>Shortest stretch of repeated calls one round times, in seconds (timer resolution and noise).</summary>
    private const double MinimumRoundSeconds = 0.002;

    /// <summary>Seconds both kernels run before the first timing (see WarmUp).</summary>
    private const double WarmUpSeconds = 0.3;

    /// <summary>Times dense against sparse for W [<paramref name="outFeatures"/>, <paramref name="inFeatures"/>] and a batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or In exceeds <see cref="SparseMatrix.MaxColumns"/>.</exception>
    public static SparseCrossoverResult Measure(int inFeatures, int outFeatures, int batch, SparseFormat format = SparseFormat.Blocked)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inFeatures, SparseMatrix.MaxColumns);
        var rng = new Rng(12);
        float[] x = new float[batch * inFeatures], bias = new float[outFeatures], y = new float[batch * outFeatures];
        rng.FillUniform(x, -1, 1);
        rng.FillUniform(bias, -1, 1);
        var timings = new List<SparseTiming>();
        WarmUp(inFeatures, outFeatures, batch, format, x, y, bias, rng);
        foreach (double sparsity in Sparsities)
        {
            float[] dense = PrunedWeights(rng, outFeatures, inFeatures, sparsity, format);
            SparseMatrix sparse = SparseMatrix.FromDense(dense, outFeatures, inFeatures, format);
            Action denseCall = () => Gemm.Run(batch, outFeatures, inFeatures, x, false, dense, true, y, 1f, 0f, bias, false);
            Action sparseCall = () => SparseKernels.RunWith(CpuKernels.Path, CpuKernels.Threads, sparse, batch, x, y, bias, false);
            int denseRepeats = Repeats(denseCall), sparseRepeats = Repeats(sparseCall);
            double bestDense = double.MaxValue, bestSparse = double.MaxValue;
            for (int round = 0; round < Rounds; round++)
            {
                bestDense = Math.Min(bestDense, Time(denseCall, denseRepeats));
                bestSparse = Math.Min(bestSparse, Time(sparseCall, sparseRepeats));
            }
            timings.Add(new SparseTiming(sparsity, bestDense, bestSparse));
        }
        double crossover = 1;
        for (int i = timings.Count - 1; i >= 0 && timings[i].Speedup > 1; i--) crossover = timings[i].Sparsity;
        return new SparseCrossoverResult(inFeatures, outFeatures, batch, format, crossover, timings);
    }

    // Runs both kernels for WarmUpSeconds first, so that every point is timed on fully compiled code: the JIT
    // compiles a method first without optimisation and replaces it only after some calls and a delay, which
    // otherwise made the first points of a run look several times slower on whichever side was still unoptimised.
    private static void WarmUp(int inFeatures, int outFeatures, int batch, SparseFormat format, float[] x, float[] y, float[] bias, Rng rng)
    {
        float[] dense = PrunedWeights(rng, outFeatures, inFeatures, 0.9, format);
        SparseMatrix sparse = SparseMatrix.FromDense(dense, outFeatures, inFeatures, format);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < WarmUpSeconds)
        {
            Gemm.Run(batch, outFeatures, inFeatures, x, false, dense, true, y, 1f, 0f, bias, false);
            SparseKernels.RunWith(CpuKernels.Path, CpuKernels.Threads, sparse, batch, x, y, bias, false);
        }
    }

    // W [rows, columns] uniform in [−1, 1) with each element (CSR) or each 8×1 block (blocked) zero with probability s.
    private static float[] PrunedWeights(Rng rng, int rows, int columns, double sparsity, SparseFormat format)
    {
        var w = new float[rows * columns];
        rng.FillUniform(w, -1, 1);
        int height = format == SparseFormat.Blocked ? SparseMatrix.BlockHeight : 1;
        var draw = new float[(rows + height - 1) / height * columns];
        rng.FillUniform(draw, 0, 1);
        for (int o = 0; o < rows; o++)
            for (int k = 0; k < columns; k++)
                if (draw[o / height * columns + k] < sparsity) w[o * columns + k] = 0f;
        return w;
    }

    // Calls per round so that one round lasts at least MinimumRoundSeconds (after a warm-up call).
    private static int Repeats(Action call)
    {
        call();
        var watch = Stopwatch.StartNew();
        call();
        double once = Math.Max(watch.Elapsed.TotalSeconds, 1e-7);
        return (int)Math.Clamp(Math.Ceiling(MinimumRoundSeconds / once), 1, 100_000);
    }

    private static double Time(Action call, int repeats)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < repeats; i++) call();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / repeats;
    }
}
