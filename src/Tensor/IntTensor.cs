using System.Runtime.InteropServices;

namespace TinyKd.Tensors;

/// <summary>
/// A one-dimensional int32 tensor: a view (offset + length) over an <see cref="IntStorage"/> or, on the CPU, directly
/// over a managed array, the way labels and indices reach a backend's kernels. On the CPU it wraps the array without
/// copying or allocating; on a device it is uploaded once per
/// batch (<see cref="Upload"/>, or a reused buffer filled with <see cref="ICompute.CopyFromHost(IntTensor, ReadOnlySpan{int})"/>)
/// and read by every kernel of the step where it lives. A small struct, so slicing allocates nothing.
/// </summary>
public readonly struct IntTensor
{
    private readonly int[]? _array; // the managed array of a CPU view made without a storage object

    /// <summary>A view of <paramref name="length"/> ints starting at <paramref name="offset"/> of a storage.</summary>
    /// <exception cref="ArgumentException">The view does not fit inside the storage.</exception>
    public IntTensor(IntStorage storage, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(storage);
        CheckView(storage.Length, offset, length);
        Storage = storage;
        Offset = offset;
        Length = length;
    }

    /// <summary>
    /// A CPU int tensor viewing <paramref name="length"/> ints of a managed array from <paramref name="offset"/>: no
    /// copy and nothing allocated, so a host batch's labels or indices become a tensor of the CPU backend for free.
    /// </summary>
    /// <exception cref="ArgumentException">The view does not fit inside the array.</exception>
    public IntTensor(int[] array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        CheckView(array.Length, offset, length);
        _array = array;
        Offset = offset;
        Length = length;
    }

    /// <summary>The backend memory this view reads; null for a view of a managed array and for <c>default(IntTensor)</c>.</summary>
    public IntStorage? Storage { get; }

    /// <summary>Index of the first element inside the storage or array.</summary>
    public int Offset { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>True for <c>default(IntTensor)</c>, which has no memory (e.g. absent bag offsets).</summary>
    public bool IsEmpty => Storage is null && _array is null;

    /// <summary>The backend whose kernels read this tensor: the CPU for a view of a managed array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public ICompute Backend => Storage?.Backend ?? (_array is not null ? CpuCompute.Default
        : throw new InvalidOperationException("An empty int tensor belongs to no backend."));

    /// <summary>True when the numbers are in host memory (<see cref="Span"/> works).</summary>
    public bool IsHost => _array is not null || Storage is CpuIntStorage;

    /// <summary>The numbers of a CPU int tensor as a span (no copy); empty for <c>default(IntTensor)</c>.</summary>
    /// <exception cref="InvalidOperationException">The tensor lives on another backend; use <see cref="ToArray"/>.</exception>
    public Span<int> Span => _array is not null ? _array.AsSpan(Offset, Length) : Storage switch
    {
        null => [],
        CpuIntStorage cpu => cpu.Data.AsSpan(Offset, Length),
        _ => throw new InvalidOperationException(
            $"The int tensor of {Length} lives on backend '{Storage.Backend.Name}'; only CPU int tensors expose a span. Use ToArray()."),
    };

    /// <summary>Allocates <paramref name="length"/> zero ints on <paramref name="backend"/> (the CPU when null).</summary>
    public static IntTensor Zeros(int length, ICompute? backend = null) =>
        new((backend ?? CpuCompute.Default).AllocateInts(length), 0, length);

    /// <summary>Wraps a managed array as a CPU int tensor without copying it (nothing is allocated).</summary>
    public static IntTensor FromArray(int[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new IntTensor(data, 0, data.Length);
    }

    /// <summary>
    /// Array-backed memory as a CPU int tensor without copying or allocating (other memory is copied into a new
    /// array). Writing through the tensor writes the memory.
    /// </summary>
    public static IntTensor FromMemory(ReadOnlyMemory<int> values) =>
        MemoryMarshal.TryGetArray(values, out ArraySegment<int> segment)
            ? new IntTensor(segment.Array!, segment.Offset, segment.Count)
            : FromArray(values.ToArray());

    /// <summary>A new int tensor on <paramref name="backend"/> holding a copy of <paramref name="values"/> (one upload).</summary>
    public static IntTensor Upload(ReadOnlySpan<int> values, ICompute backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var t = new IntTensor(backend.AllocateInts(values.Length), 0, values.Length);
        backend.CopyFromHost(t, values);
        return t;
    }

    /// <summary>The elements [start, start + count) as a view that shares the storage.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the tensor.</exception>
    public IntTensor Slice(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"Elements [{start}, {start + count}) are outside an int tensor of {Length}.");
        if (IsEmpty) return default;
        return _array is not null ? new IntTensor(_array, Offset + start, count) : new IntTensor(Storage!, Offset + start, count);
    }

    /// <summary>Copies the numbers to a new managed array (from any backend; one download for a device).</summary>
    public int[] ToArray()
    {
        if (IsEmpty) return [];
        var result = new int[Length];
        Backend.CopyToHost(this, result);
        return result;
    }

    /// <summary>The length and, for short tensors, the values.</summary>
    public override string ToString() =>
        IsEmpty ? "IntTensor(empty)" : Length <= 16 ? $"IntTensor({Length}) [{string.Join(", ", ToArray())}]" : $"IntTensor({Length})";

    private static void CheckView(int capacity, int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > capacity)
            throw new ArgumentException($"A view of {length} ints at offset {offset} does not fit in {capacity} ints.", nameof(length));
    }
}
