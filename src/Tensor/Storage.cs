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

    /// <summary>Whether <see cref="Dispose()"/> has been called.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Releases the memory (a no-op for managed CPU memory). Views of it must not be used afterwards.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
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

/// <summary>
/// Storage in managed memory: <see cref="BackendMemory.Length"/> floats of a plain <c>float[]</c> that the garbage collector owns,
/// starting at <see cref="Start"/>.
/// </summary>
/// <remarks>
/// The backend's own allocations of at least <see cref="AlignedBytes"/> start on a 64-byte boundary (a cache line, and
/// one AVX-512 vector), as PyTorch's CPU allocator's do: their arrays are allocated on the pinned object heap, which
/// never moves them, and <see cref="Start"/> skips the few floats before the boundary. A managed array is otherwise
/// only 8-byte aligned, and then nearly every 64-byte load of a kernel spans two cache lines — which on Intel cores
/// costs a second L1 access: x·Wᵀ at batch 1 with W 128×784 (in L2) ran at 23–26 GFLOP/s on an Ice Lake Xeon with W
/// unaligned and 40 with it aligned (AVX-512, one thread). Smaller allocations stay ordinary arrays: arrays this large
/// already live in the large-object heap, collected with the oldest generation, so pinning them changes no lifetime.
/// </remarks>
public sealed class CpuStorage : Storage
{
    /// <summary>Allocations of at least this many bytes start on a 64-byte boundary (see the remarks).</summary>
    public const int AlignedBytes = 85_000;

    /// <summary>Wraps <paramref name="data"/> without copying it: the storage is the whole array.</summary>
    public CpuStorage(ICompute backend, float[] data) : this(backend, data, 0, data.Length)
    {
    }

    private CpuStorage(ICompute backend, float[] data, int start, int length) : base(backend, length)
    {
        Data = data;
        Start = start;
    }

    /// <summary>
    /// A zero-filled storage of <paramref name="length"/> floats owned by <paramref name="backend"/>, starting on a
    /// 64-byte boundary when it holds at least <see cref="AlignedBytes"/>.
    /// </summary>
    public static CpuStorage Allocate(ICompute backend, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if ((long)length * sizeof(float) < AlignedBytes) return new CpuStorage(backend, new float[length]);
        const int lineFloats = 64 / sizeof(float);
        float[] data = GC.AllocateArray<float>(length + lineFloats - 1, pinned: true);
        return new CpuStorage(backend, data, FloatsToLine(data), length);
    }

    // How many floats from the array's first element to the next 64-byte boundary (the array is pinned: it stays put).
    private static unsafe int FloatsToLine(float[] data)
    {
        fixed (float* p = data) return (int)((64 - (nint)p % 64) % 64 / sizeof(float));
    }

    /// <summary>The array holding the numbers: this storage's floats are <c>Data[Start .. Start + Length]</c>.</summary>
    public float[] Data { get; }

    /// <summary>Where this storage's first float lies in <see cref="Data"/> (0 for a wrapped array).</summary>
    public int Start { get; }
}
