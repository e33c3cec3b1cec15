namespace TinyKd.Tensors;

/// <summary>
/// A block of memory owned by one compute backend, the common part of <see cref="Storage"/> (floats) and
/// <see cref="IntStorage"/> (ints): its backend, its capacity and its release.
/// </summary>
/// <remarks>
/// A device backend's memory is not seen by the garbage collector: dispose it when done, so that the device memory is
/// released when the program says and not when a finalizer runs. Managed CPU memory's <see cref="Dispose()"/> does
/// nothing.
/// </remarks>
public abstract class BackendMemory : IDisposable
{
    /// <summary>Creates a block of <paramref name="length"/> elements owned by <paramref name="backend"/>.</summary>
    protected BackendMemory(ICompute backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend whose kernels read and write this memory.</summary>
    public ICompute Backend { get; }

    /// <summary>Capacity in elements.</summary>
    public int Length { get; }

    /// <summary>Releases the memory (a no-op for managed CPU memory). Views of it must not be used afterwards.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the backend's memory; <paramref name="disposing"/> is false when called from a finalizer.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// A block of float32 memory owned by one compute backend. Tensors are views (shape + offset) over a storage;
/// ops never touch the numbers directly but hand the storages to the backend that owns them. Dispose a device
/// backend's storage when done (see <see cref="BackendMemory"/>).
/// </summary>
public abstract class Storage : BackendMemory
{
    /// <summary>Creates a storage of <paramref name="length"/> floats owned by <paramref name="backend"/>.</summary>
    protected Storage(ICompute backend, int length) : base(backend, length)
    {
    }
}

/// <summary>Storage in managed memory: a plain <c>float[]</c> that the garbage collector owns.</summary>
public sealed class CpuStorage : Storage
{
    /// <summary>Wraps <paramref name="data"/> without copying it.</summary>
    public CpuStorage(ICompute backend, float[] data) : base(backend, data.Length) => Data = data;

    /// <summary>The numbers.</summary>
    public float[] Data { get; }
}
