using System.Runtime.InteropServices;

namespace TinyKd.Tensors;

/// <summary>
/// The packed unit of <see cref="Int8LinearWeight"/>: 16 output columns × 4 consecutive input features of int8
/// weights, 64 bytes, one zmm (or two ymm) register. Byte <c>4·c + j</c> is the weight of column <c>c</c> at depth
/// <c>j</c>, so a 4-byte group of the activation row broadcast to every lane meets its 16 columns in one vpmaddubsw
/// (MLAS's QGEMM packs B the same way: groups of 4 K-bytes per column).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct Int8Tile
{
    /// <summary>Output columns per tile (the int32 lanes of a 512-bit register).</summary>
    public const int Columns = 16;

    /// <summary>Input features per tile (the bytes one int32 lane sums).</summary>
    public const int Depth = 4;

    /// <summary>Bytes per tile.</summary>
    public const int Size = Columns * Depth;

    private fixed sbyte _values[Size];

    /// <summary>The weight of column <paramref name="column"/> (0 … 15) at depth <paramref name="depth"/> (0 … 3).</summary>
    public sbyte this[int column, int depth]
    {
        readonly get => _values[column * Depth + depth];
        set => _values[column * Depth + depth] = value;
    }
}
