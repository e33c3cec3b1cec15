namespace TinyKd.Tensors.Cpu;

/// <summary>
/// How to walk a contiguous output while reading two operands broadcast to its shape (PyTorch's rule, see
/// <see cref="Shape.TryBroadcast"/>): the output's dimensions with those of size 1 dropped and neighbours merged
/// wherever both operands are contiguous across them, at most four, with each operand's stride in elements per
/// dimension (0 along a dimension the operand is broadcast over). Dimension 0 is the innermost.
/// </summary>
/// <remarks>
/// Merging turns the common cases into one or two dimensions: equal shapes into one contiguous run, a bias row
/// [C] over [B, C] into B rows of C with strides (C, 1) and (0, 1), a column [B, 1] over [B, C] into B rows with
/// strides (C, 1) and (1, 0). The innermost dimension is then walked as a row by a vector loop: one operand is
/// contiguous along it (the output's size there is some operand's size, which is not 1), and the other is either
/// contiguous too or one element repeated. The outer dimensions are walked row by row from the row index.
/// </remarks>
internal readonly struct BroadcastPlan
{
    /// <summary>The innermost (merged) dimension: the length of one row.</summary>
    public int Columns { get; }

    /// <summary>Stride of operand a along the innermost dimension: 1 (contiguous) or 0 (one element repeated).</summary>
    public int StrideA { get; }

    /// <summary>Stride of operand b along the innermost dimension: 1 or 0.</summary>
    public int StrideB { get; }

    /// <summary>The number of rows: the product of the outer dimensions.</summary>
    public int Rows { get; }

    private readonly int _n1, _n2, _a1, _a2, _a3, _b1, _b2, _b3;

    private BroadcastPlan(ReadOnlySpan<int> n, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        Columns = n[0];
        StrideA = a[0];
        StrideB = b[0];
        (_n1, _n2) = (n[1], n[2]);
        (_a1, _a2, _a3) = (a[1], a[2], a[3]);
        (_b1, _b2, _b3) = (b[1], b[2], b[3]);
        Rows = n[1] * n[2] * n[3];
    }

    /// <summary>The plan for an output of shape <paramref name="y"/> and operands of shapes that broadcast to it.</summary>
    public static BroadcastPlan Create(Shape y, Shape a, Shape b)
    {
        Span<int> n = [1, 1, 1, 1], sa = [1, 0, 0, 0], sb = [1, 0, 0, 0];
        int count = 0, strideA = 1, strideB = 1;
        for (int k = 1; k <= y.Rank; k++)
        {
            int size = y[y.Rank - k];
            int da = k <= a.Rank ? a[a.Rank - k] : 1, db = k <= b.Rank ? b[b.Rank - k] : 1;
            int stepA = da == 1 ? 0 : strideA, stepB = db == 1 ? 0 : strideB;
            strideA *= da;
            strideB *= db;
            if (size == 1) continue;
            // This dimension continues the one inside it when, in both operands, stepping it is stepping over the
            // whole inner dimension (for a broadcast operand both strides are 0).
            if (count > 0 && sa[count - 1] * n[count - 1] == stepA && sb[count - 1] * n[count - 1] == stepB)
            {
                n[count - 1] *= size;
                continue;
            }
            n[count] = size;
            sa[count] = stepA;
            sb[count] = stepB;
            count++;
        }
        return new BroadcastPlan(n, sa, sb);
    }

    /// <summary>Where row <paramref name="row"/> of the output starts in a and in b (it starts at row·Columns in y).</summary>
    public void Offsets(int row, out int offsetA, out int offsetB)
    {
        int i1 = row, i2 = 0, i3 = 0;
        if (row >= _n1)
        {
            // Only plans with more than one outer dimension get here: a bias row or a column has just the rows.
            i1 = row % _n1;
            row /= _n1;
            (i2, i3) = (row % _n2, row / _n2);
        }
        offsetA = i1 * _a1 + i2 * _a2 + i3 * _a3;
        offsetB = i1 * _b1 + i2 * _b2 + i3 * _b3;
    }
}
