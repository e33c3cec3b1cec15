using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// The SGEMM kernels — every supported path (AVX-512, AVX2, scalar) on one thread and on all — against the
/// reference triple loop, on square and MLP shapes, beside the machine's FMA peak measured in the same run. Each
/// kernel case is validated against the reference on its own operands before it is timed (llm.c dev/cuda's habit):
/// a fast wrong kernel fails the run instead of topping the table.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class GemmBenchmarks
{
    /// <summary>
    /// The largest allowed error, element-wise |fast − ref| / max(|ref|, 1): relative where |ref| ≥ 1, absolute
    /// below, so entries that cancel to near zero do not blow the ratio up.
    /// </summary>
    public const double Tolerance = 1e-4;

    /// <summary>Above this many multiply-adds only a sample of rows is checked (the reference would take seconds).</summary>
    private const long FullValidationLimit = 1L << 28;

    private const int SampledRows = 16;

    private Tensor _a, _b, _c;

    [ParamsSource(nameof(Cases))]
    public GemmCase Case { get; set; } = null!;

    public static IEnumerable<GemmCase> Cases() => GemmCase.All();

    [GlobalSetup]
    public void Setup()
    {
        if (Case.Kernel == GemmKernel.FmaPeak) return;
        var rng = new Rng(42);
        _a = BenchData.Uniform(rng, -1f, 1f, Case.AShape);
        _b = BenchData.Uniform(rng, -1f, 1f, Case.BShape);
        _c = Tensor.Zeros(Case.M, Case.N);
        if (Case.Kernel == GemmKernel.Blocked) Validate();
    }

    [Benchmark]
    public void Gemm()
    {
        bool ta = Case.TransposeA == Transpose.Yes, tb = Case.TransposeB == Transpose.Yes;
        switch (Case.Kernel)
        {
            case GemmKernel.Blocked:
                GemmKernels.Run(Case.Path, Case.Threads, Case.M, Case.N, Case.K, _a.Span, ta, _b.Span, tb, _c.Span);
                break;
            case GemmKernel.Reference:
                GemmReference.Run(Case.M, Case.N, Case.K, _a.Span, ta, _b.Span, tb, _c.Span, 1f, 0f, default, false);
                break;
            default:
                FmaPeak(Case.Threads);
                break;
        }
    }

    private void Validate()
    {
        bool ta = Case.TransposeA == Transpose.Yes, tb = Case.TransposeB == Transpose.Yes;
        int m = Case.M, n = Case.N, k = Case.K;
        GemmKernels.Run(Case.Path, Case.Threads, m, n, k, _a.Span, ta, _b.Span, tb, _c.Span);
        ReadOnlySpan<float> actual = _c.Span;
        // A large product is checked on evenly spaced rows: row i of C needs only row i of A (stored M×K).
        bool sample = (long)m * n * k > FullValidationLimit && !ta;
        int[] rows = sample ? Enumerable.Range(0, SampledRows).Select(r => (int)((long)r * (m - 1) / (SampledRows - 1))).Distinct().ToArray()
            : Enumerable.Range(0, m).ToArray();
        float[] expected = new float[sample ? n : m * n];
        if (!sample) GemmReference.Run(m, n, k, _a.Span, ta, _b.Span, tb, expected, 1f, 0f, default, false);
        double worst = 0;
        int worstIndex = 0;
        float worstExpected = 0;
        foreach (int i in rows)
        {
            if (sample) GemmReference.Run(1, n, k, _a.Span.Slice(i * k, k), false, _b.Span, tb, expected, 1f, 0f, default, false);
            ReadOnlySpan<float> e = sample ? expected : expected.AsSpan(i * n, n);
            for (int j = 0; j < n; j++)
            {
                double error = Math.Abs((double)actual[i * n + j] - e[j]) / Math.Max(Math.Abs((double)e[j]), 1.0);
                if (error > worst || double.IsNaN(error)) (worst, worstIndex, worstExpected) = (error, i * n + j, e[j]);
            }
        }
        if (!(worst <= Tolerance))
            throw new InvalidOperationException(
                $"GEMM {Case} disagrees with the reference: error {worst:E2} > {Tolerance:E0} at C[{worstIndex / n}, {worstIndex % n}] " +
                $"(expected {worstExpected}, got {actual[worstIndex]}).");
        Console.WriteLine($"// Validated {Case} against the reference{(sample ? $" on {rows.Length} rows" : "")}: max error {worst:E2} (tolerance {Tolerance:E0}).");
    }

    // Every thread runs the same register-only loop (tinykd bench's PeakFlops.FmaLoop); the call returns when all are done.
    private static void FmaPeak(int threads)
    {
        if (threads == 1) PeakFlops.FmaLoop(GemmCase.PeakIterations);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, static _ => PeakFlops.FmaLoop(GemmCase.PeakIterations));
    }

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(new RateColumn("GFLOP/s", "2*M*N*K floating-point operations per call / mean time, in 1e9 per second",
                c => CaseOf(c)?.Flops, 1e9));
            AddColumn(new PeakColumn());
            AddColumn(new SpeedupColumn("Speedup",
                "Mean time of the reference triple loop / mean time of the blocked GEMM on the same problem, same run",
                (cases, c) => CaseOf(c) is { Kernel: GemmKernel.Blocked } blocked
                    ? cases.FirstOrDefault(r => CaseOf(r) is { Kernel: GemmKernel.Reference } reference && reference.SameProblem(blocked))
                    : null,
                "N1"));
        }
    }

    internal static GemmCase? CaseOf(BenchmarkCase benchmarkCase) => benchmarkCase.Parameters[nameof(Case)] as GemmCase;

    private static double? GflopsOf(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 && CaseOf(benchmarkCase) is { } c ? c.Flops / mean.Value : null;
    }

    /// <summary>A case's GFLOP/s as a share of the FMA peak measured in the same run on as many threads.</summary>
    private sealed class PeakColumn : IColumn
    {
        public string Id => nameof(PeakColumn);
        public string ColumnName => "% peak";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "GFLOP/s / GFLOP/s of the 12-accumulator FMA loop on the same number of threads, same run";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (CaseOf(benchmarkCase) is not { Kernel: GemmKernel.Blocked } gemm) return "-";
            BenchmarkCase? peak = summary.BenchmarksCases.FirstOrDefault(c =>
                CaseOf(c) is { Kernel: GemmKernel.FmaPeak } p && p.Threads == gemm.Threads);
            double? rate = GflopsOf(summary, benchmarkCase), peakRate = peak is null ? null : GflopsOf(summary, peak);
            if (rate is null || peakRate is not > 0) return "n/a";
            return (100 * rate.Value / peakRate.Value).ToString("N0", style.CultureInfo) + "%";
        }

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public override string ToString() => ColumnName;
    }
}
