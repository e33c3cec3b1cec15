using TinyKd.Tensors.Cpu;
using Xunit.Abstractions;

namespace TinyKd.Tests.Tensors;

/// <summary>
/// Runs a test body with the CPU backend's kernel path forced (what <c>TINYKD_KERNELS</c> does for a whole process).
/// Tests that use it belong to the <c>CpuKernelSettingsCollection</c>, so no other test sees the forced path.
/// </summary>
public static class ForcedKernelPath
{
    /// <summary>Every kernel path, for a theory's rows (a path the CPU lacks is reported by <see cref="Run"/>).</summary>
    public static TheoryData<KernelPath> All() => [.. Enum.GetValues<KernelPath>()];

    /// <summary>
    /// Runs <paramref name="body"/> with <see cref="CpuKernels.Path"/> set to <paramref name="path"/> and restores it
    /// afterwards; a path this CPU lacks is written to <paramref name="output"/> and not run (the
    /// <c>[EveryKernelPathFact]</c> test is the one that shows as skipped on such a CPU).
    /// </summary>
    public static void Run(KernelPath path, ITestOutputHelper output, Action body)
    {
        if (!CpuKernels.IsSupported(path))
        {
            output.WriteLine($"Skipped: this processor does not support the {path} path (the widest here is {CpuKernels.Best}).");
            return;
        }
        KernelPath saved = CpuKernels.Path;
        try
        {
            CpuKernels.Path = path;
            body();
        }
        finally
        {
            CpuKernels.Path = saved;
        }
    }
}
