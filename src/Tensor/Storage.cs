namespace TinyKd.Tensors;

/// <summary>
/// A block of float32 memory owned by one compute backend. Tensors are views (shape + offset) over a storage;
/// ops never touch the numbers directly but hand the storages to the backend that owns them.
/// </summary>
public abstract class Storage
{
    /// <summary>Creates a storage of <paramref name="length"/> floats owned by <paramref name="backend"/>.</summary>
    protected Storage(ICompute backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend whose kernels read and write this memory.</summary>
    public ICompute Backend { get; }

    /// <summary>Capacity in floats.</summary>
    public int Length { get; }
}

/// <summary>Storage in managed memory: a plain <c>float[]</c> that the garbage collector owns.</summary>
public sealed class CpuStorage : Storage
{
    /// <summary>Wraps <paramref name="data"/> without copying it.</summary>
    public CpuStorage(ICompute backend, float[] data) : base(backend, data.Length) => Data = data;

    /// <summary>The numbers.</summary>
    public float[] Data { get; }
}
