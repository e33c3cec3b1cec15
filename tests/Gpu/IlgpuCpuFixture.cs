using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Tests.Gpu;

/// <summary>
/// One <see cref="GpuCompute"/> on ILGPU's CPU accelerator, shared by the GPU test classes (its kernels compile once)
/// and disposed after them; the classes of the collection run one after another.
/// </summary>
public class IlgpuCpuFixture : IDisposable
{
    /// <summary>ILGPU's default CPU accelerator: 4-thread warps, groups of 16.</summary>
    public IlgpuCpuFixture() : this(GpuCompute.Create(GpuDevice.IlgpuCpu))
    {
    }

    /// <summary>The fixture of another accelerator.</summary>
    protected IlgpuCpuFixture(GpuCompute gpu) => Gpu = gpu;

    /// <summary>The backend under test.</summary>
    public GpuCompute Gpu { get; }

    /// <summary>A copy of a CPU tensor on <paramref name="backend"/> (the CPU tensor itself when that is the CPU).</summary>
    public static Tensor On(ICompute backend, Tensor host)
    {
        if (ReferenceEquals(backend, CpuCompute.Default)) return Tensor.FromArray(host.ToArray(), host.Shape);
        return Tensor.Upload(host.Span, host.Shape, backend);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Gpu.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The GPU test classes share one <see cref="IlgpuCpuFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "ILGPU CPU accelerator";
}
