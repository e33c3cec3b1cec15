using System.Globalization;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// <c>--crossover</c>: <see cref="SparseCrossover.Measure"/> on the MLP layers (784→1200, 1200→1200, 784→128) at batch 1
/// and 256, both sparse layouts, on each vector path, one thread — the dense/sparse speedup at every measured sparsity
/// and the crossover, dense and sparse timed in alternation in this process. Outside BenchmarkDotNet, because the
/// crossover is a ratio of two timings that must share one process, clock and cache state.
/// </summary>
internal static class SparseCrossoverReport
{
    /// <summary>The command-line switch that runs this report instead of the suites.</summary>
    public const string Flag = "--crossover";

    private static readonly (int In, int Out)[] Layers = [(784, 1200), (1200, 1200), (784, 128)];

    public static void Run(TextWriter output)
    {
        KernelPath savedPath = CpuKernels.Path;
        int savedThreads = CpuKernels.Threads;
        CultureInfo c = CultureInfo.InvariantCulture;
        try
        {
            CpuKernels.Threads = 1;
            foreach (KernelPath path in CpuKernels.Supported.Where(p => p != KernelPath.Scalar).Reverse())
            {
                CpuKernels.Path = path;
                output.WriteLine($"# {path}, 1 thread; speedup = dense time / sparse time at each sparsity (best of {SparseCrossover.Rounds} alternating rounds)");
                output.WriteLine("layer      batch format   " + string.Join(" ", SparseCrossover.Sparsities.Select(s => $"{s * 100,5:F0}%")) + "  crossover  dense µs  sparse µs at 90%");
                foreach (var (inFeatures, outFeatures) in Layers)
                    foreach (int batch in (int[])[1, 256])
                        foreach (SparseFormat format in (SparseFormat[])[SparseFormat.Csr, SparseFormat.Blocked])
                        {
                            SparseCrossoverResult r = SparseCrossover.Measure(inFeatures, outFeatures, batch, format);
                            string speedups = string.Join(" ", r.Timings.Select(t => string.Format(c, "{0,5:F2}x", t.Speedup)));
                            string crossover = r.Crossover >= 1 ? "never" : string.Format(c, "{0:P0}", r.Crossover);
                            double denseMicros = r.Timings.Min(t => t.DenseSeconds) * 1e6;
                            double sparseMicros = r.Timings.First(t => t.Sparsity == 0.9).SparseSeconds * 1e6;
                            output.WriteLine(string.Format(c, "{0,-10} {1,5} {2,-8} {3}  {4,9}  {5,8:F1}  {6,9:F1}",
                                $"{inFeatures}->{outFeatures}", batch, format, speedups, crossover, denseMicros, sparseMicros));
                        }
                output.Flush();
            }
        }
        finally
        {
            CpuKernels.Path = savedPath;
            CpuKernels.Threads = savedThreads;
        }
    }
}
