namespace TinyKd.Tensors;

// The shape checks of the GEMM and axis primitives, which return the sizes the kernels take.
public static partial class ComputeChecks
{
    /// <summary>
    /// Checks the shapes of <see cref="ICompute.Gemm"/> (op(a) M×K, op(b) K×N, c M×N, bias N values or empty) and
    /// returns (M, N, K).
    /// </summary>
    /// <exception cref="ArgumentException">An operand is not a matrix, the inner dimensions differ, or c or the bias
    /// has the wrong size; the message names the shapes.</exception>
    public static (int M, int N, int K) Gemm(Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB, Tensor bias)
    {
        if (a.Rank != 2 || b.Rank != 2 || c.Rank != 2)
            throw new ArgumentException($"GEMM needs matrices; got a {a.Shape}, b {b.Shape}, c {c.Shape}.", nameof(a));
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        int m = ta ? a.Shape[1] : a.Shape[0], k = ta ? a.Shape[0] : a.Shape[1];
        int kb = tb ? b.Shape[1] : b.Shape[0], n = tb ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ArgumentException($"GEMM inner dimensions differ: op(a) is {m}×{k} (a {a.Shape}), op(b) is {kb}×{n} (b {b.Shape}).", nameof(b));
        if (c.Shape[0] != m || c.Shape[1] != n)
            throw new ArgumentException($"GEMM output c {c.Shape} should be [{m}, {n}].", nameof(c));
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"GEMM bias {bias.Shape} should have {n} elements.", nameof(bias));
        return (m, n, k);
    }

    /// <summary>Checks the shapes of <see cref="ICompute.Reduce"/> and returns x viewed as [outer, n, inner] around the axis.</summary>
    /// <exception cref="ArgumentException">y is not x's shape without the axis, or a max over an empty axis or accumulated.</exception>
    public static (int Outer, int N, int Inner) Reduce(ReduceOp op, Tensor y, Tensor x, int axis, bool accumulate)
    {
        int a = x.Shape.NormalizeAxis(axis);
        int outer = x.Shape.Outer(a), n = x.Shape[a], inner = x.Shape.Inner(a);
        if (y.Length != outer * inner)
            throw new ArgumentException($"Reducing {x.Shape} along axis {axis} gives {outer * inner} elements; y is {y.Shape}.", nameof(y));
        if (op == ReduceOp.Max && (n == 0 || (accumulate && inner > 1)))
            throw new ArgumentException($"Max along axis {axis} of {x.Shape} needs a non-empty axis and no accumulation.", nameof(axis));
        return (outer, n, inner);
    }

    /// <summary>Checks the shapes of <see cref="ICompute.BroadcastAxis"/> and returns y viewed as [outer, n, inner] around the axis.</summary>
    public static (int Outer, int N, int Inner) BroadcastAxis(Tensor y, Tensor x, int axis)
    {
        int a = y.Shape.NormalizeAxis(axis);
        int outer = y.Shape.Outer(a), n = y.Shape[a], inner = y.Shape.Inner(a);
        if (x.Length != outer * inner)
            throw new ArgumentException($"Broadcasting x {x.Shape} along axis {axis} of y {y.Shape} needs {outer * inner} elements.", nameof(x));
        return (outer, n, inner);
    }

    /// <summary>Checks the shapes of <see cref="ICompute.TransposeLastTwo"/> and returns x's last two sizes.</summary>
    public static (int Rows, int Columns) TransposeLastTwo(Tensor y, Tensor x)
    {
        if (x.Rank < 2) throw new ArgumentException($"Transposing needs rank ≥ 2; x is {x.Shape}.", nameof(x));
        int rows = x.Shape[-2], cols = x.Shape[-1];
        if (y.Rank != x.Rank || y.Shape[-2] != cols || y.Shape[-1] != rows || y.Length != x.Length)
            throw new ArgumentException($"The transpose of x {x.Shape} does not fit y {y.Shape}.", nameof(y));
        return (rows, cols);
    }

    /// <summary>Checks the arguments of <see cref="ICompute.CopyAlongAxis"/> and returns the axis, normalised.</summary>
    public static int CopyAlongAxis(Tensor y, int yStart, Tensor x, int xStart, int count, int axis)
    {
        int a = x.Shape.NormalizeAxis(axis);
        if (y.Rank != x.Rank || x.Shape.Outer(a) != y.Shape.Outer(a) || x.Shape.Inner(a) != y.Shape.Inner(a))
            throw new ArgumentException($"x {x.Shape} and y {y.Shape} must agree on every dimension but axis {axis}.", nameof(y));
        if (count < 0 || xStart < 0 || yStart < 0 || xStart + count > x.Shape[a] || yStart + count > y.Shape[a])
            throw new ArgumentOutOfRangeException(nameof(count),
                $"Copying {count} slices from {xStart} of x {x.Shape} to {yStart} of y {y.Shape} along axis {axis} is out of range.");
        return a;
    }

    /// <summary>The row width shared by a [R, D] table-like tensor and a [N, D] row tensor.</summary>
    /// <exception cref="ArgumentException">Either is not a matrix, or their widths differ (the message names both shapes).</exception>
    public static int EmbeddingWidth(Tensor table, string tableName, Tensor rows, string rowsName)
    {
        if (table.Rank != 2 || rows.Rank != 2 || table.Shape[1] != rows.Shape[1])
            throw new ArgumentException($"'{tableName}' {table.Shape} and '{rowsName}' {rows.Shape} must both be matrices of the same row width.", rowsName);
        return table.Shape[1];
    }

    /// <summary>
    /// The argument checks of <see cref="ICompute.SparseAdamUpdate"/> that need no index values: p, m, v of one shape,
    /// the row gradients as wide and at least as many as the rows, and no weight decay. Returns the width.
    /// </summary>
    public static int SparseAdam(Tensor parameter, IntTensor rows, Tensor rowGradients, Tensor m, Tensor v, AdamStep step)
    {
        SameShape(parameter, nameof(parameter), m, nameof(m));
        SameShape(parameter, nameof(parameter), v, nameof(v));
        int width = EmbeddingWidth(parameter, nameof(parameter), rowGradients, nameof(rowGradients));
        if (rowGradients.Shape.Rows < rows.Length)
            throw new ArgumentException($"{rows.Length} rows to update but 'rowGradients' {rowGradients.Shape} holds {rowGradients.Shape.Rows}.", nameof(rowGradients));
        if (step.WeightDecay != 0f)
            throw new ArgumentOutOfRangeException(nameof(step), $"Sparse Adam has no weight decay (PyTorch's SparseAdam neither); got {step.WeightDecay}.");
        return width;
    }

    /// <summary>
    /// The length checks of an embedding call that need no index values: offsets of bags + 1 entries, or none and one
    /// index per bag.
    /// </summary>
    public static void BagCounts(IntTensor indices, IntTensor offsets, int bags)
    {
        if (offsets.IsEmpty ? indices.Length != bags : offsets.Length != bags + 1)
            throw new ArgumentException(offsets.IsEmpty
                ? $"Without offsets every index is its own bag: {indices.Length} indices for {bags} rows."
                : $"Bag offsets must have {bags + 1} entries for {bags} bags; got {offsets.Length}.", nameof(offsets));
    }
}
