using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TinyKd.Bench;

/// <summary>
/// A speedup column: the mean time of a baseline case / the mean time of this case, both measured in this run — the
/// number to quote, since absolute times depend on the machine. Each suite says which case is a row's baseline.
/// </summary>
/// <param name="name">Column header, e.g. "vs dense".</param>
/// <param name="legend">What the ratio compares, printed under the table.</param>
/// <param name="baselineOf">
/// The baseline of a case among the run's cases, or null for a row without a ratio ("-"); a baseline may be the case
/// itself (then 1.00x).
/// </param>
/// <param name="format">Number format of the ratio ("N2", or "N1" for large ratios).</param>
public sealed class SpeedupColumn(string name, string legend, Func<IReadOnlyList<BenchmarkCase>, BenchmarkCase, BenchmarkCase?> baselineOf,
    string format = "N2") : IColumn
{
    public string Id => nameof(SpeedupColumn) + "." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (baselineOf(summary.BenchmarksCases, benchmarkCase) is not { } baseline) return "-";
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        double? baselineMean = summary[baseline]?.ResultStatistics?.Mean;
        if (mean is not > 0 || baselineMean is not > 0) return "n/a";
        return (baselineMean.Value / mean.Value).ToString(format, style.CultureInfo) + "x";
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public override string ToString() => ColumnName;
}
