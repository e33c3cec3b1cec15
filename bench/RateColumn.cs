using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TinyKd.Bench;

/// <summary>
/// A throughput column: work per operation divided by the mean time of that operation, e.g. GFLOP/s for a GEMM
/// (2·M·N·K flops per call) or samples/s for a forward pass (batch rows per call).
/// </summary>
/// <param name="name">Column header, with its unit, e.g. "GFLOP/s".</param>
/// <param name="legend">What the column means, printed under the table.</param>
/// <param name="workPerOperation">The work one invocation does for a benchmark case, or null where it has none.</param>
/// <param name="unitsPerDisplayedUnit">Work units per displayed unit (1e9 for GFLOP/s from flops).</param>
public sealed class RateColumn(string name, string legend, Func<BenchmarkCase, double?> workPerOperation, double unitsPerDisplayedUnit)
    : IColumn
{
    public string Id => nameof(RateColumn) + "." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        double? work = workPerOperation(benchmarkCase);
        if (meanNanoseconds is not > 0 || work is null) return "-";
        double rate = work.Value / (meanNanoseconds.Value * 1e-9) / unitsPerDisplayedUnit;
        return rate.ToString(rate >= 100 ? "N0" : "N2", style.CultureInfo);
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public override string ToString() => ColumnName;
}
