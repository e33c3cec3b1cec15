using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli;

/// <summary>
/// The environment variables that tune the CPU kernels (<c>TINYKD_KERNELS</c>, <c>TINYKD_THREADS</c>), checked once
/// before a command runs: the kernels read them in a static initialiser, where a bad value would otherwise surface
/// mid-run as a <see cref="TypeInitializationException"/>.
/// </summary>
public static class EnvironmentSettings
{
    /// <summary>One line saying which variable holds a bad value and why, or null when both are usable.</summary>
    public static string? Problem()
    {
        try
        {
            _ = CpuKernels.Path;
            return null;
        }
        catch (TypeInitializationException e) when (e.InnerException is InvalidOperationException bad)
        {
            return bad.Message;
        }
    }
}
