using System.Runtime.CompilerServices;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Reductions along one axis, their inverse broadcast, the sum back to a broadcast operand's shape, ArgMax and the
/// transpose, over spans. A tensor is viewed as [outer, n, inner] around the axis. Sums run on the given kernel path
/// through VectorLoop; plain loops for each are in Reductions.Reference.cs.
/// </summary>
internal static class Reductions
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Reduce(KernelPath path, ReduceOp op, ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, float scale,
        bool accumulate)
    {
        if (op == ReduceOp.Mean) scale /= Math.Max(n, 1);
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> block = x.Slice(o * n * inner, n * inner);
            Span<float> yo = y.Slice(o * inner, inner);
            if (inner == 1)
            {
                float v = op == ReduceOp.Max ? RowMax(block) : VectorLoop.Sum(path, default(IdentityOperator), block);
                yo[0] = accumulate ? yo[0] + scale * v : scale * v;
                continue;
            }
            if (op == ReduceOp.Max)
            {
                block[..inner].CopyTo(yo);
                for (int a = 1; a < n; a++) MapBinary(path, default(MaxOperator), yo, block.Slice(a * inner, inner), yo);
                if (scale != 1f) Map(path, new ScaleOperator(scale), yo, yo);
                continue;
            }
            if (!accumulate) yo.Clear();
            for (int a = 0; a < n; a++) MapAdd(path, new ScaleOperator(scale), block.Slice(a * inner, inner), yo);
        }
    }

    // The largest element of a non-empty row, NaN when the row has one. One plain loop on every path: VectorLoop.Max
    // may drop a NaN, no op of TinyKd reduces a row by its max in training, and the row maxima that matter for speed
    // (softmax) have their own kernel. Along an outer axis the max is elementwise (MaxOperator) and vectorised.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float RowMax(ReadOnlySpan<float> row)
    {
        float max = row[0];
        for (int a = 1; a < row.Length; a++) max = MathF.Max(max, row[a]);
        return max;
    }

    // y[o, a, i] (=|+=) scale·x[o, i]
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Broadcast(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, float scale, bool accumulate)
    {
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> xo = x.Slice(o * inner, inner);
            for (int a = 0; a < n; a++)
            {
                Span<float> ya = y.Slice((o * n + a) * inner, inner);
                if (accumulate) MapAdd(path, new ScaleOperator(scale), xo, ya);
                else Map(path, new ScaleOperator(scale), xo, ya);
            }
        }
    }

    // y (=|+=) scale·(x summed over the axes along which y's shape broadcasts to x's): the backward of broadcasting.
    // x's shape is the broadcast one. Rows of x along which y is contiguous are added into y's row; rows along which
    // y is one element repeated are summed first.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void SumTo(KernelPath path, ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape, float scale, bool accumulate)
    {
        if (y.Length == x.Length)
        {
            if (accumulate) MapAdd(path, new ScaleOperator(scale), x, y);
            else Map(path, new ScaleOperator(scale), x, y);
            return;
        }
        if (!accumulate) y.Clear();
        if (y.Length == 1)
        {
            y[0] += scale * VectorLoop.Sum(path, default(IdentityOperator), x);
            return;
        }
        var plan = BroadcastPlan.Create(xShape, yShape, xShape);
        int columns = plan.Columns;
        for (int r = 0; r < plan.Rows; r++)
        {
            plan.Offsets(r, out int oy, out _);
            ReadOnlySpan<float> row = x.Slice(r * columns, columns);
            if (plan.StrideA == 0) y[oy] += scale * VectorLoop.Sum(path, default(IdentityOperator), row);
            else MapAdd(path, new ScaleOperator(scale), row, y.Slice(oy, columns));
        }
    }

    // The first index of the largest element of each row; the first NaN when a row has one (as TensorPrimitives'
    // IndexOfMax). One plain loop on every path: it runs once per batch on rows of class scores, after the forward.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void ArgMax(ReadOnlySpan<float> x, int columns, Span<int> indices)
    {
        for (int r = 0; r < indices.Length; r++)
        {
            ReadOnlySpan<float> row = x.Slice(r * columns, columns);
            int best = 0;
            for (int j = 0; j < row.Length && !float.IsNaN(row[best]); j++)
                if (row[j] > row[best] || float.IsNaN(row[j])) best = j;
            indices[r] = best;
        }
    }

    // y[b, j, i] (=|+=) x[b, i, j] for each of the batch matrices of shape rows×cols.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void TransposeLastTwo(ReadOnlySpan<float> x, Span<float> y, int batch, int rows, int cols, bool accumulate)
    {
        int size = rows * cols;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xb = x.Slice(b * size, size);
            Span<float> yb = y.Slice(b * size, size);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                {
                    if (accumulate) yb[j * rows + i] += xb[i * cols + j];
                    else yb[j * rows + i] = xb[i * cols + j];
                }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator =>
        VectorLoop.Map(path, op, x, y);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapAdd<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator =>
        VectorLoop.MapAdd(path, op, x, y);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapBinary<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOperator => VectorLoop.Map(path, op, a, b, y);
}
