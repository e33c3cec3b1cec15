using System.Numerics.Tensors;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Row softmax and log-softmax with temperature T, and their backward passes.
/// </summary>
/// <remarks>
/// Stability: with z = (x − max x)/T every exponent is ≤ 0, so exp never overflows and the row sum is ≥ 1.
/// log-softmax is z − log Σ exp z, computed without forming the probabilities.
/// Backward (per row, s = softmax, g = dy): softmax dx = s ∘ (g − ⟨g, s⟩)/T; log-softmax dx = (g − s·Σg)/T.
/// </remarks>
internal static class Softmax
{
    [ThreadStatic] private static float[]? t_row;

    internal static void Forward(ReadOnlySpan<float> x, Span<float> y, int columns, float temperature, bool log)
    {
        float invT = 1f / temperature;
        float[] scratch = Scratch(columns);
        for (int r = 0; r < x.Length; r += columns)
        {
            ReadOnlySpan<float> xr = x.Slice(r, columns);
            Span<float> yr = y.Slice(r, columns);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Multiply(yr, invT, yr);
            if (log)
            {
                Span<float> e = scratch.AsSpan(0, columns);
                TensorPrimitives.Exp(yr, e);
                float logSum = MathF.Log(TensorPrimitives.Sum(e));
                TensorPrimitives.Subtract(yr, logSum, yr);
            }
            else
            {
                TensorPrimitives.Exp(yr, yr);
                TensorPrimitives.Multiply(yr, 1f / TensorPrimitives.Sum(yr), yr);
            }
        }
    }

    internal static void Backward(Span<float> dx, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int columns, float temperature, bool log)
    {
        float invT = 1f / temperature;
        for (int r = 0; r < y.Length; r += columns)
        {
            ReadOnlySpan<float> yr = y.Slice(r, columns);
            ReadOnlySpan<float> gr = dy.Slice(r, columns);
            Span<float> dr = dx.Slice(r, columns);
            if (log)
            {
                float sum = TensorPrimitives.Sum(gr);
                for (int c = 0; c < columns; c++) dr[c] += (gr[c] - MathF.Exp(yr[c]) * sum) * invT;
            }
            else
            {
                float dot = TensorPrimitives.Dot(gr, yr);
                for (int c = 0; c < columns; c++) dr[c] += yr[c] * (gr[c] - dot) * invT;
            }
        }
    }

    private static float[] Scratch(int columns)
    {
        float[]? row = t_row;
        if (row is null || row.Length < columns) t_row = row = new float[Math.Max(columns, 64)];
        return row;
    }
}
