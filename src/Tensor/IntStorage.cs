namespace TinyKd.Tensors;

/// <summary>
/// A block of int32 memory owned by one compute backend: the labels, embedding indices, bag offsets and row lists the
/// kernels read, and the indices <see cref="ICompute.ArgMax"/> writes. The int counterpart of <see cref="Storage"/>, with
/// the same ownership (see <see cref="BackendMemory"/>): dispose a device backend's int storage when done.
/// </summary>
public abstract class IntStorage : BackendMemory
{
    /// <summary>Creates a storage of <paramref name="length"/> ints owned by <paramref name="backend"/>.</summary>
    protected IntStorage(ICompute backend, int length) : base(backend, length)
    {
    }
}

/// <summary>Int storage in managed memory: a plain <c>int[]</c> that the garbage collector owns.</summary>
public sealed class CpuIntStorage : IntStorage
{
    /// <summary>Wraps <paramref name="data"/> without copying it.</summary>
    public CpuIntStorage(ICompute backend, int[] data) : base(backend, data.Length) => Data = data;

    /// <summary>The numbers.</summary>
    public int[] Data { get; }
}
