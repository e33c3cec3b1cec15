using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TinyKd.Bench;

/// <summary>
/// Reference mean time / blocked mean time for the same GEMM problem, both measured in this run: the number to
/// quote, since absolute times depend on the machine.
/// </summary>
public sealed class GemmSpeedupColumn : IColumn
{
    public string Id => nameof(GemmSpeedupColumn);
    public string ColumnName => "Speedup";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Mean time of the reference triple loop / mean time of the blocked GEMM on the same problem, same run";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        GemmCase? blocked = GemmBenchmarks.CaseOf(benchmarkCase);
        if (blocked is null || blocked.Kernel != GemmKernel.Blocked) return "-";
        BenchmarkCase? reference = summary.BenchmarksCases.FirstOrDefault(c =>
            GemmBenchmarks.CaseOf(c) is { Kernel: GemmKernel.Reference } r && r.SameProblem(blocked));
        double? blockedMean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        double? referenceMean = reference is null ? null : summary[reference]?.ResultStatistics?.Mean;
        if (blockedMean is not > 0 || referenceMean is not > 0) return "n/a";
        return (referenceMean.Value / blockedMean.Value).ToString("N1", style.CultureInfo) + "x";
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public override string ToString() => ColumnName;
}
