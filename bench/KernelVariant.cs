using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// Which implementation a kernel benchmark times: the one it replaced ("old"), or the new kernel forced onto one
/// kernel path with a given number of threads ("avx512", "avx512 x2t"). Shown as its name in the tables.
/// </summary>
/// <param name="Name">The table label.</param>
/// <param name="Path">The forced path; null for the old implementation (which picks its own).</param>
/// <param name="Threads">Worker-pool threads (1 unless the row says "x2t").</param>
public sealed record KernelVariant(string Name, KernelPath? Path, int Threads)
{
    /// <summary>The label of the implementation the ratios are taken against.</summary>
    public const string OldName = "old";

    /// <summary>True for the replaced implementation.</summary>
    public bool IsOld => Path is null;

    /// <summary>"old", then every supported path on one thread, then the widest on all threads when there are more.</summary>
    public static IEnumerable<KernelVariant> All(bool includeOld = true)
    {
        if (includeOld) yield return new KernelVariant(OldName, null, 1);
        foreach (KernelPath path in CpuKernels.Supported) yield return new KernelVariant(path.ToString().ToLowerInvariant(), path, 1);
        if (Environment.ProcessorCount > 1)
            yield return new KernelVariant($"{CpuKernels.Best.ToString().ToLowerInvariant()} x{Environment.ProcessorCount}t", CpuKernels.Best, Environment.ProcessorCount);
    }

    /// <summary>Sets the process-wide path and thread count this variant runs with (benchmarks run one per process).</summary>
    public void Apply()
    {
        CpuKernels.Path = Path ?? CpuKernels.Best;
        CpuKernels.Threads = Threads;
    }

    public override string ToString() => Name;
}

/// <summary>
/// Mean time of the "old" variant / mean time of this row, for the same method and the same other parameters,
/// both measured in this run.
/// </summary>
public sealed class SpeedupOverOldColumn : IColumn
{
    public string Id => nameof(SpeedupOverOldColumn);
    public string ColumnName => "vs old";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Mean time of the replaced implementation (Variant = old) / mean time of this row, same shape, same run";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (VariantOf(benchmarkCase) is not { } variant) return "-";
        BenchmarkCase? old = summary.BenchmarksCases.FirstOrDefault(c =>
            VariantOf(c) is { IsOld: true } && c.Descriptor.WorkloadMethod == benchmarkCase.Descriptor.WorkloadMethod &&
            c.Parameters.Items.Where(p => p.Name != "Variant").Select(p => p.ToString())
                .SequenceEqual(benchmarkCase.Parameters.Items.Where(p => p.Name != "Variant").Select(p => p.ToString())));
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        double? oldMean = old is null ? null : summary[old]?.ResultStatistics?.Mean;
        if (mean is not > 0 || oldMean is not > 0) return "n/a";
        return variant.IsOld ? "1.00x" : (oldMean.Value / mean.Value).ToString("N2", style.CultureInfo) + "x";
    }

    private static KernelVariant? VariantOf(BenchmarkCase c) => c.Parameters.Items.FirstOrDefault(p => p.Name == "Variant")?.Value as KernelVariant;

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public override string ToString() => ColumnName;

    /// <summary>The config that adds this column to a suite: <c>[Config(typeof(SpeedupOverOldColumn.Config))]</c>.</summary>
    public sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new SpeedupOverOldColumn());
    }
}
