using System.Runtime.InteropServices;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Distill.Reports;

/// <summary>The one line every report gives about the machine its timings come from.</summary>
public static class MachineDescription
{
    /// <summary>Logical CPUs, operating system, .NET runtime and the CPU kernel path, e.g. "2 cores, Debian …, .NET 10.0.0, kernels Avx512".</summary>
    public static string Current =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, kernels {CpuKernels.Path}";
}
