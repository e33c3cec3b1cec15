using TinyKd.Tensors;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// A shape of rank ≤ 4 padded with leading 1s to four dimensions, passed to kernels by value: broadcasting aligns
/// shapes at their last dimension, so after padding an operand's dimension k pairs with the output's dimension k.
/// </summary>
internal readonly struct Dims4
{
    public readonly int D0, D1, D2, D3;

    private Dims4(int d0, int d1, int d2, int d3) => (D0, D1, D2, D3) = (d0, d1, d2, d3);

    /// <summary>The shape padded to four dimensions (shapes have at most <see cref="Shape.MaxRank"/> = 4).</summary>
    public static Dims4 Of(Shape shape)
    {
        Span<int> d = [1, 1, 1, 1];
        for (int k = 1; k <= shape.Rank; k++) d[4 - k] = shape[shape.Rank - k];
        return new Dims4(d[0], d[1], d[2], d[3]);
    }

    /// <summary>The flat index of the coordinates (c0..c3), each coordinate taken as 0 where this shape has size 1.</summary>
    public int Broadcast(int c0, int c1, int c2, int c3) =>
        (((D0 == 1 ? 0 : c0) * D1 + (D1 == 1 ? 0 : c1)) * D2 + (D2 == 1 ? 0 : c2)) * D3 + (D3 == 1 ? 0 : c3);
}
