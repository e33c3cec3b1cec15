using System.Runtime.CompilerServices;

namespace TinyKd.Tensors;

/// <summary>
/// The dimensions of a row-major tensor: rank 0 (a scalar) up to rank 4, stored inline so that a shape never allocates.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest rank a TinyKd tensor can have.</summary>
    public const int MaxRank = 4;

    private readonly int _d0, _d1, _d2, _d3;

    /// <summary>The shape of a scalar: rank 0, one element.</summary>
    public Shape() : this(ReadOnlySpan<int>.Empty) { }

    /// <summary>Creates a shape from its dimensions (at most <see cref="MaxRank"/>, each ≥ 0).</summary>
    /// <exception cref="ArgumentException">More than four dimensions, or a negative one.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"A tensor has at most {MaxRank} dimensions; got {dims.Length}.", nameof(dims));
        long length = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"Dimension {i} of a shape is negative ({dims[i]}).", nameof(dims));
            length *= dims[i];
        }
        if (length > int.MaxValue)
            throw new ArgumentException($"A tensor of {length} elements is larger than TinyKd supports ({int.MaxValue}).", nameof(dims));
        Rank = dims.Length;
        _d0 = dims.Length > 0 ? dims[0] : 0;
        _d1 = dims.Length > 1 ? dims[1] : 0;
        _d2 = dims.Length > 2 ? dims[2] : 0;
        _d3 = dims.Length > 3 ? dims[3] : 0;
        Length = (int)length;
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank { get; }

    /// <summary>The number of elements (1 for a scalar).</summary>
    public int Length { get; }

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis]
    {
        get
        {
            int a = NormalizeAxis(axis);
            return a switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
        }
    }

    /// <summary>The size of the last dimension (1 for a scalar): the length of one row.</summary>
    public int Columns => Rank == 0 ? 1 : this[Rank - 1];

    /// <summary>The number of rows when every dimension but the last is flattened.</summary>
    public int Rows => Columns == 0 ? 0 : Length / Columns;

    /// <summary>Turns a possibly negative axis into its index in [0, Rank).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist in this shape.</exception>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} does not exist in shape {this}.");
        return a;
    }

    /// <summary>Product of the dimensions before <paramref name="axis"/>.</summary>
    public int Outer(int axis)
    {
        int p = 1;
        for (int i = 0; i < axis; i++) p *= this[i];
        return p;
    }

    /// <summary>Product of the dimensions after <paramref name="axis"/>.</summary>
    public int Inner(int axis)
    {
        int p = 1;
        for (int i = axis + 1; i < Rank; i++) p *= this[i];
        return p;
    }

    /// <summary>This shape with dimension <paramref name="axis"/> replaced by <paramref name="size"/>.</summary>
    public Shape With(int axis, int size)
    {
        Span<int> d = stackalloc int[MaxRank];
        CopyTo(d);
        d[NormalizeAxis(axis)] = size;
        return new Shape(d[..Rank]);
    }

    /// <summary>This shape without dimension <paramref name="axis"/>.</summary>
    public Shape Without(int axis)
    {
        int a = NormalizeAxis(axis);
        Span<int> d = stackalloc int[MaxRank];
        int n = 0;
        for (int i = 0; i < Rank; i++)
            if (i != a) d[n++] = this[i];
        return new Shape(d[..n]);
    }

    /// <summary>
    /// The shape of an elementwise result under PyTorch's (NumPy's) broadcasting rule: the two shapes are aligned at
    /// their last dimensions, a missing leading dimension counts as 1, and each aligned pair of sizes must be equal
    /// or contain a 1, the result taking the other size (so 1 and 0 give 0). For example [2, 2] and [2, 1] give
    /// [2, 2] (the column is repeated along each row), [4, 1, 3] and [5, 1] give [4, 5, 3], and [2, 3] and [3, 2]
    /// do not broadcast.
    /// </summary>
    /// <param name="a">The first operand's shape.</param>
    /// <param name="b">The second operand's shape.</param>
    /// <param name="result">The broadcast shape (rank = the larger rank); the default shape when there is none.</param>
    /// <param name="axis">When the shapes do not broadcast, the first aligned dimension (counted from the end, −1
    /// being the last) whose sizes conflict; 0 otherwise.</param>
    /// <returns>True when the shapes broadcast.</returns>
    public static bool TryBroadcast(Shape a, Shape b, out Shape result, out int axis)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> d = stackalloc int[MaxRank];
        for (int k = 1; k <= rank; k++)
        {
            int sa = k <= a.Rank ? a[a.Rank - k] : 1, sb = k <= b.Rank ? b[b.Rank - k] : 1;
            if (sa != sb && sa != 1 && sb != 1)
            {
                result = default;
                axis = -k;
                return false;
            }
            d[rank - k] = sa == 1 ? sb : sa;
        }
        result = new Shape(d[..rank]);
        axis = 0;
        return true;
    }

    /// <summary>Copies the dimensions into <paramref name="destination"/> (at least <see cref="Rank"/> long).</summary>
    public void CopyTo(Span<int> destination)
    {
        for (int i = 0; i < Rank; i++) destination[i] = this[i];
    }

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        var d = new int[Rank];
        CopyTo(d);
        return d;
    }

    /// <inheritdoc />
    public bool Equals(Shape other) =>
        Rank == other.Rank && _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);

    /// <summary>Shapes are equal when their ranks and dimensions are.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Shapes differ when their ranks or a dimension do.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>The shape written as in PyTorch, e.g. <c>[128, 784]</c>.</summary>
    public override string ToString()
    {
        var parts = new string[Rank];
        for (int i = 0; i < Rank; i++) parts[i] = this[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "[" + string.Join(", ", parts) + "]";
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Shape Matrix(int rows, int columns) => new(rows, columns);
}
