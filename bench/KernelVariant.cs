using BenchmarkDotNet.Configs;
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
/// The config that adds the "vs old" column: mean time of the "old" variant / mean time of this row, for the same method and the same other
/// parameters, both measured in this run. Add it to a suite with <c>[Config(typeof(VersusOldConfig))]</c>.
/// </summary>
public sealed class VersusOldConfig : ManualConfig
{
    public VersusOldConfig() => AddColumn(new SpeedupColumn("vs old",
        "Mean time of the replaced implementation (Variant = old) / mean time of this row, same shape, same run",
        (cases, c) => VariantOf(c) is null ? null : cases.FirstOrDefault(old =>
            VariantOf(old) is { IsOld: true } && old.Descriptor.WorkloadMethod == c.Descriptor.WorkloadMethod &&
            OtherParameters(old).SequenceEqual(OtherParameters(c)))));

    private static KernelVariant? VariantOf(BenchmarkCase c) => c.Parameters.Items.FirstOrDefault(p => p.Name == "Variant")?.Value as KernelVariant;

    private static IEnumerable<string> OtherParameters(BenchmarkCase c) =>
        c.Parameters.Items.Where(p => p.Name != "Variant").Select(p => p.ToString());
}
