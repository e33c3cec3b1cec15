using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Tests.Gpu;

/// <summary>
/// One <see cref="GpuCompute"/> on ILGPU's CPU accelerator, shared by the GPU test classes (its kernels compile once)
/// and disposed after them; the classes of the collection run one after another.
/// </summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    /// <summary>The backend under test.</summary>
    public GpuCompute Gpu { get; } = GpuCompute.Create(GpuDevice.IlgpuCpu);

    /// <summary>A copy of a CPU tensor on <paramref name="backend"/> (the CPU tensor itself when that is the CPU).</summary>
    public static Tensor On(ICompute backend, Tensor host)
    {
        if (ReferenceEquals(backend, CpuCompute.Default)) return Tensor.FromArray(host.ToArray(), host.Shape);
        return Tensor.Upload(host.Span, host.Shape, backend);
    }

    /// <inheritdoc />
    public void Dispose() => Gpu.Dispose();
}

/// <summary>The GPU test classes share one <see cref="IlgpuCpuFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "ILGPU CPU accelerator";
}
