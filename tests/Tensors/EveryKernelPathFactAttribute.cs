using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Tensors;

/// <summary>
/// A fact that needs every kernel path on this processor: reported as skipped, naming the missing paths, where the
/// processor (or the runtime, under <c>DOTNET_EnableAVX512=0</c>) lacks one. The path theories draw their rows from
/// <see cref="CpuKernels.Supported"/>, so without this a missing path would leave them passing with fewer rows and
/// nothing to show for it.
/// </summary>
public sealed class EveryKernelPathFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when a kernel path cannot run here.</summary>
    public EveryKernelPathFactAttribute()
    {
        KernelPath[] missing = Enum.GetValues<KernelPath>().Where(p => !CpuKernels.IsSupported(p)).ToArray();
        if (missing.Length > 0)
            Skip = $"This processor runs kernel paths up to {CpuKernels.Best}; the {string.Join(" and ", missing)} paths are not tested here";
    }
}
