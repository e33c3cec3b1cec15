namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The reductions of Reductions.cs as plain loops, one element at a time, summing in order and scaling the sum: the
/// reference that every kernel path is tested against, within float rounding (the kernels scale each term, and the
/// vector paths sum in lanes).
/// </summary>
public static class ReductionReference
{
    /// <summary>
    /// y[o, i] (=|+=) scale · reduce over a of x[o, a, i], for x viewed as [outer, n, inner]; the mean divides the
    /// scale by n, the max propagates NaN.
    /// </summary>
    public static void Reduce(ReduceOp op, ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, float scale, bool accumulate)
    {
        if (op == ReduceOp.Mean) scale /= Math.Max(n, 1);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float v = op == ReduceOp.Max ? x[o * n * inner + i] : 0f;
                for (int a = op == ReduceOp.Max ? 1 : 0; a < n; a++)
                {
                    float e = x[(o * n + a) * inner + i];
                    v = op == ReduceOp.Max ? MathF.Max(v, e) : v + e;
                }
                y[o * inner + i] = accumulate ? y[o * inner + i] + scale * v : scale * v;
            }
    }

    /// <summary>y[o, a, i] (=|+=) scale·x[o, i].</summary>
    public static void Broadcast(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, float scale, bool accumulate)
    {
        for (int o = 0; o < outer; o++)
            for (int a = 0; a < n; a++)
                for (int i = 0; i < inner; i++)
                {
                    int k = (o * n + a) * inner + i;
                    y[k] = accumulate ? y[k] + x[o * inner + i] * scale : x[o * inner + i] * scale;
                }
    }

    /// <summary>
    /// y (=|+=) scale · Σ x over the axes along which y's shape broadcasts to x's shape: every element of x is added
    /// to the element of y that broadcasting sends to it (<see cref="ElementwiseReference.BroadcastIndex"/>).
    /// </summary>
    public static void SumTo(ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape, float scale, bool accumulate)
    {
        Span<float> sums = new float[y.Length];
        for (int i = 0; i < x.Length; i++) sums[ElementwiseReference.BroadcastIndex(i, xShape, yShape)] += x[i];
        for (int j = 0; j < y.Length; j++) y[j] = accumulate ? y[j] + scale * sums[j] : scale * sums[j];
    }

    /// <summary>The first index of the largest element of each row of <paramref name="columns"/>, or of its first NaN.</summary>
    public static void ArgMax(ReadOnlySpan<float> x, int columns, Span<int> indices)
    {
        for (int r = 0; r < indices.Length; r++)
        {
            int best = r * columns;
            for (int j = r * columns; j < (r + 1) * columns; j++)
            {
                if (float.IsNaN(x[j])) { best = j; break; }
                if (x[j] > x[best]) best = j;
            }
            indices[r] = best - r * columns;
        }
    }
}
