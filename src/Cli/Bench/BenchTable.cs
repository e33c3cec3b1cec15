using System.Globalization;

namespace TinyKd.Cli.Bench;

/// <summary>The plain-text table <c>tinykd bench</c> prints.</summary>
internal static class BenchTable
{
    /// <summary>Writes the machine line, the peak line and one row per result.</summary>
    public static void Write(TextWriter output, BenchReport report)
    {
        PeakFlops peak = report.Peak;
        BenchMachine m = report.Machine;
        output.WriteLine(Invariant($"tinykd bench: {m.CpuModel}, {m.ProcessorCount} logical processors, kernels {m.KernelPath}, {m.Threads} threads for the multi-threaded rows; {m.Runtime} on {m.Os}"));
        output.WriteLine($"CPU: {m.Microarchitecture}; GEMM on {m.KernelPath}: {m.Gemm}");
        output.WriteLine(peak.VectorBits == 0
            ? "FP32 FMA peak: not measured (no FMA on this processor); '% peak' is left blank"
            : Invariant($"FP32 FMA peak (Vector{peak.VectorBits}<float>, 12 accumulators): {peak.SingleCoreGflops:F1} GFLOP/s on 1 core, {peak.AllCoresGflops:F1} GFLOP/s on {peak.Threads} threads"));
        Int8Peak int8 = report.Int8Peak;
        if (int8.VectorBits > 0)
            output.WriteLine(Invariant($"int8 peak (vpmaddubsw → vpmaddwd → vpaddd, {int8.VectorBits}-bit, the int8 kernels' step): {int8.SingleCoreGmacs:F1} G multiply-adds/s on 1 core, {int8.AllCoresGmacs:F1} on {int8.Threads} threads; on 1 core {int8.RatioToFp32:F2}× the FP32 FMA peak's multiply-adds (the ceiling of int8 ÷ fp32 at equal efficiency)"));
        output.WriteLine();
        output.WriteLine($"{"what",-40} {"threads",7} {"time",10} {"GFLOP/s",8} {"% peak",7} {"samples/s",11} {"ms/step",8} {"speedup",8}");
        output.WriteLine(new string('-', 40 + 7 + 10 + 8 + 7 + 11 + 8 + 8 + 7));
        foreach (BenchResult r in report.Results)
        {
            string percent = r.PercentOfPeak is { } p ? Invariant($"{p:F1}%") : "";
            string samples = r.SamplesPerSecond is { } s ? Invariant($"{s:N0}") : "";
            string step = r.MsPerStep is { } ms ? Invariant($"{ms:F2}") : "";
            string speedup = r.Speedup is { } x ? Invariant($"{x:F2}×") : "";
            string note = r.Valid == false ? "  WRONG RESULT (sampled check against a double-precision dot product failed)" : "";
            output.WriteLine(Invariant($"{r.What,-40} {r.Threads,7} {Time(r.Seconds),10} {r.Gflops,8:F1} {percent,7} {samples,11} {step,8} {speedup,8}{note}"));
        }
        if (report.Crossovers.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("speedup: the reference row's time / the row's, measured in the same run: for the rows 'on <path>', the same GEMM on the bench's own path (above 1: the other path is faster; no share of the peak, which is the bench path's); for sparse and int8 rows, the dense fp32 twin. Sparse rows: 8×1 blocks, per-layer magnitude threshold, output layer dense. int8 rows: 7-bit weights per row, dynamic u8 activations, no share of the FP32 peak.");
            output.WriteLine("Sparse/dense crossover (the lowest sparsity from which the blocked kernel beats the dense GEMM; what serving decides by):");
            foreach (var group in report.Crossovers.GroupBy(c => (c.InFeatures, c.OutFeatures)))
                output.WriteLine(Invariant($"  {group.Key.InFeatures}→{group.Key.OutFeatures}: ") + string.Join(", ", group.Select(c =>
                    Invariant($"batch {c.Batch} {(c.Crossover >= 1 ? "never" : Invariant($"{c.Crossover * 100:F0}%"))}"))));
        }
        if (report.OpenBlas is { } blas)
        {
            output.WriteLine();
            output.WriteLine($"SGEMM against OpenBLAS in this process ({blas.Library}, core {blas.Core}): the two alternate round after round on the same operands, best round of each");
            output.WriteLine($"{"what",-40} {"threads",7} {"TinyKd GFLOP/s",15} {"OpenBLAS GFLOP/s",17} {"TinyKd ÷ OpenBLAS",18}");
            foreach (OpenBlasComparison g in blas.Gemms)
                output.WriteLine(Invariant($"{g.What,-40} {g.Threads,7} {g.TinyKdGflops,15:F1} {g.OpenBlasGflops,17:F1} {g.Ratio,17:F2}×"));
        }
    }

    /// <summary>Seconds in the unit that keeps three or four significant digits: µs, ms or s.</summary>
    public static string Time(double seconds) =>
        seconds < 1e-3 ? Invariant($"{seconds * 1e6:F1} µs")
        : seconds < 1 ? Invariant($"{seconds * 1e3:F2} ms")
        : Invariant($"{seconds:F3} s");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
