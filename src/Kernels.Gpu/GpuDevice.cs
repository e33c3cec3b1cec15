namespace TinyKd.Gpu;

/// <summary>The kinds of ILGPU accelerator a <see cref="GpuCompute"/> can run on.</summary>
public enum GpuDevice
{
    /// <summary>An NVIDIA GPU through CUDA (the first one ILGPU finds).</summary>
    Cuda,
    /// <summary>An OpenCL device with OpenCL C ≥ 2.0 and the generic address space (ILGPU's requirement).</summary>
    OpenCL,
    /// <summary>ILGPU's CPU accelerator: the kernels run as .NET code on host threads. Always present; slow; for tests.</summary>
    IlgpuCpu,
}
