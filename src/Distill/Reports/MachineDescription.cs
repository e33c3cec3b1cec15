using System.Runtime.InteropServices;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Distill.Reports;

/// <summary>The one line every report gives about the machine its timings come from.</summary>
public static class MachineDescription
{
    private static readonly Lazy<string> Model = new(ReadCpuModel);

    /// <summary>
    /// The CPU model, e.g. "AMD EPYC 9R14 96-Core Processor": the first "model name" of /proc/cpuinfo on Linux, the
    /// PROCESSOR_IDENTIFIER variable on Windows, "unknown CPU" elsewhere or when neither can be read.
    /// </summary>
    public static string CpuModel => Model.Value;

    /// <summary>CPU model, logical CPUs, operating system, .NET runtime and the CPU kernel path, e.g. "AMD EPYC, 2 cores, Debian …, .NET 10.0.0, kernels Avx512".</summary>
    public static string Current =>
        $"{CpuModel}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, kernels {CpuKernels.Path}";

    private static string ReadCpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and >= 0)
                        return line[(colon + 1)..].Trim() is { Length: > 0 } name ? name : "unknown CPU";
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") is { Length: > 0 } id ? id : "unknown CPU";
    }
}
