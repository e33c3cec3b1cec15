using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Cli;

/// <summary>
/// <c>--device cpu|cuda|opencl|ilgpu-cpu</c>: the backend a command trains on. The CPU backend is the default; the
/// others are ILGPU accelerators (<see cref="GpuCompute"/>), opened for the command and disposed after it.
/// </summary>
public static class DeviceOption
{
    /// <summary>The option's help line.</summary>
    public static readonly OptionSpec Option = new("device", "NAME",
        "cpu, cuda, opencl or ilgpu-cpu (ILGPU's CPU accelerator: slow, for checking the GPU kernels)", "cpu");

    /// <summary>
    /// Opens the device named by <c>--device</c>: null for the CPU (nothing to open), else a <see cref="GpuCompute"/>
    /// that the caller disposes.
    /// </summary>
    /// <exception cref="UsageException">The name is unknown, or no such device is present; the message lists the devices ILGPU found.</exception>
    public static GpuCompute? Open(CommandLine line)
    {
        string name = line.Choice("device", "cpu", "cuda", "opencl", "ilgpu-cpu");
        if (name == "cpu") return null;
        GpuDevice kind = name switch { "cuda" => GpuDevice.Cuda, "opencl" => GpuDevice.OpenCL, _ => GpuDevice.IlgpuCpu };
        try
        {
            return GpuCompute.Create(kind);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"--device {name}: {e.Message}");
        }
    }

    /// <summary>The backend to compute on: <paramref name="device"/>, or the CPU when it is null.</summary>
    public static ICompute Backend(GpuCompute? device) => device is null ? CpuCompute.Default : device;
}
