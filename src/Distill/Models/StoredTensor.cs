using System.Runtime.InteropServices;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>The element type of a <see cref="StoredTensor"/>; the byte value is what a version-2 file stores.</summary>
public enum ElementType : byte
{
    /// <summary>32-bit IEEE float (parameters, scales).</summary>
    Float32 = 0,

    /// <summary>32-bit signed integer (row starts, integer sums).</summary>
    Int32 = 1,

    /// <summary>16-bit unsigned integer (compact column indices).</summary>
    UInt16 = 2,

    /// <summary>8-bit signed integer (quantized weights).</summary>
    Int8 = 3,

    /// <summary>8-bit unsigned integer (quantized activations, zero points).</summary>
    UInt8 = 4,
}

/// <summary>
/// One named array of a <see cref="TensorFile"/>: its dimensions, its element type and its raw little-endian bytes.
/// Float tensors are the parameters of dense models; compressed layers also store integers (int8 weights, 16-bit
/// indices, row starts) at their own width, so a file's bytes shrink with the model. The typed getters check the
/// type and the element count and name the tensor when they do not match.
/// </summary>
public sealed class StoredTensor
{
    private StoredTensor(string name, int[] dims, ElementType type, byte[] bytes)
    {
        Name = name;
        Dims = dims;
        Type = type;
        Bytes = bytes;
    }

    /// <summary>The name (e.g. <c>0.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The dimensions, outermost first (empty for a scalar).</summary>
    public IReadOnlyList<int> Dims { get; }

    /// <summary>The element type.</summary>
    public ElementType Type { get; }

    /// <summary>The elements' little-endian bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The number of elements (the product of <see cref="Dims"/>).</summary>
    public long Length => Bytes.Length / SizeOf(Type);

    /// <summary>The dimensions as "[2, 3]".</summary>
    public string ShapeText => $"[{string.Join(", ", Dims)}]";

    /// <summary>The bytes one element of <paramref name="type"/> takes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a known element type.</exception>
    public static int SizeOf(ElementType type) => type switch
    {
        ElementType.Float32 or ElementType.Int32 => 4,
        ElementType.UInt16 => 2,
        ElementType.Int8 or ElementType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"Unknown element type {(byte)type}."),
    };

    /// <summary>A float tensor holding a copy of <paramref name="tensor"/>'s numbers under <paramref name="name"/>.</summary>
    public static StoredTensor Float32(string name, Tensor tensor) =>
        Float32(name, tensor.ToArray(), Enumerable.Range(0, tensor.Rank).Select(d => tensor.Shape[d]).ToArray());

    /// <summary>A float array of shape <paramref name="dims"/> (one dimension of the span's length when none).</summary>
    public static StoredTensor Float32(string name, ReadOnlySpan<float> values, params int[] dims) =>
        Create(name, ElementType.Float32, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>An int32 array of shape <paramref name="dims"/> (one dimension of the span's length when none).</summary>
    public static StoredTensor Int32(string name, ReadOnlySpan<int> values, params int[] dims) =>
        Create(name, ElementType.Int32, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>A uint16 array of shape <paramref name="dims"/> (one dimension of the span's length when none).</summary>
    public static StoredTensor UInt16(string name, ReadOnlySpan<ushort> values, params int[] dims) =>
        Create(name, ElementType.UInt16, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>An int8 array of shape <paramref name="dims"/> (one dimension of the span's length when none).</summary>
    public static StoredTensor Int8(string name, ReadOnlySpan<sbyte> values, params int[] dims) =>
        Create(name, ElementType.Int8, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>A uint8 array of shape <paramref name="dims"/> (one dimension of the span's length when none).</summary>
    public static StoredTensor UInt8(string name, ReadOnlySpan<byte> values, params int[] dims) =>
        Create(name, ElementType.UInt8, values, values.Length, dims);

    /// <summary>The elements as floats (a copy).</summary>
    /// <exception cref="InvalidDataException">The tensor is not <see cref="ElementType.Float32"/>.</exception>
    public float[] ToFloat32() => Read<float>(ElementType.Float32);

    /// <summary>The elements as int32 (a copy).</summary>
    /// <exception cref="InvalidDataException">The tensor is not <see cref="ElementType.Int32"/>.</exception>
    public int[] ToInt32() => Read<int>(ElementType.Int32);

    /// <summary>The elements as uint16 (a copy).</summary>
    /// <exception cref="InvalidDataException">The tensor is not <see cref="ElementType.UInt16"/>.</exception>
    public ushort[] ToUInt16() => Read<ushort>(ElementType.UInt16);

    /// <summary>The elements as int8 (a copy).</summary>
    /// <exception cref="InvalidDataException">The tensor is not <see cref="ElementType.Int8"/>.</exception>
    public sbyte[] ToInt8() => Read<sbyte>(ElementType.Int8);

    /// <summary>The elements as uint8 (a copy).</summary>
    /// <exception cref="InvalidDataException">The tensor is not <see cref="ElementType.UInt8"/>.</exception>
    public byte[] ToUInt8() => Read<byte>(ElementType.UInt8);

    /// <summary>A CPU tensor of the same shape holding the numbers.</summary>
    /// <exception cref="InvalidDataException">The tensor is not <see cref="ElementType.Float32"/>.</exception>
    public Tensor ToTensor() => Tensor.FromArray(ToFloat32(), new Shape([.. Dims]));

    // The file reader's constructor: the bytes were checked against the dimensions already.
    internal static StoredTensor FromFile(string name, int[] dims, ElementType type, byte[] bytes) => new(name, dims, type, bytes);

    private static StoredTensor Create(string name, ElementType type, ReadOnlySpan<byte> bytes, int length, int[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0) dims = [length];
        if (dims.Length > Shape.MaxRank || dims.Any(d => d < 0) || dims.Aggregate(1L, (p, d) => p * d) != length)
            throw new ArgumentException($"Tensor '{name}' has {length} elements, which do not fill the shape [{string.Join(", ", dims)}].", nameof(dims));
        byte[] copy = bytes.ToArray();
        if (!BitConverter.IsLittleEndian) ReverseEndianness(copy, SizeOf(type));
        return new StoredTensor(name, (int[])dims.Clone(), type, copy);
    }

    private T[] Read<T>(ElementType expected) where T : unmanaged
    {
        if (Type != expected)
            throw new InvalidDataException($"Tensor '{Name}' holds {Type} elements; {expected} was expected.");
        byte[] bytes = Bytes.ToArray();
        if (!BitConverter.IsLittleEndian) ReverseEndianness(bytes, SizeOf(Type));
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static void ReverseEndianness(byte[] bytes, int size)
    {
        if (size == 1) return;
        for (int i = 0; i < bytes.Length; i += size) bytes.AsSpan(i, size).Reverse();
    }

    /// <summary>"name Type [dims]".</summary>
    public override string ToString() => $"{Name} {Type} {ShapeText}";
}
