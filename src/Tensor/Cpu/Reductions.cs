using System.Numerics.Tensors;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Reductions along one axis and their inverse broadcast. A tensor is viewed as [outer, n, inner] around the axis.
/// </summary>
internal static class Reductions
{
    internal static void Reduce(ReduceOp op, ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, float scale, bool accumulate)
    {
        if (op == ReduceOp.Mean) scale /= Math.Max(n, 1);
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> block = x.Slice(o * n * inner, n * inner);
            Span<float> yo = y.Slice(o * inner, inner);
            if (inner == 1)
            {
                float v = op == ReduceOp.Max ? TensorPrimitives.Max(block) : TensorPrimitives.Sum(block);
                yo[0] = accumulate ? yo[0] + scale * v : scale * v;
                continue;
            }
            if (op == ReduceOp.Max)
            {
                if (accumulate) throw new NotSupportedException("An accumulating Max reduction over an inner axis is not supported.");
                block[..inner].CopyTo(yo);
                for (int a = 1; a < n; a++) TensorPrimitives.Max(yo, block.Slice(a * inner, inner), yo);
                if (scale != 1f) TensorPrimitives.Multiply(yo, scale, yo);
                continue;
            }
            if (!accumulate) yo.Clear();
            for (int a = 0; a < n; a++) TensorPrimitives.MultiplyAdd(block.Slice(a * inner, inner), scale, yo, yo);
        }
    }

    // y[o, a, i] (=|+=) scale·x[o, i]
    internal static void Broadcast(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, float scale, bool accumulate)
    {
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> xo = x.Slice(o * inner, inner);
            for (int a = 0; a < n; a++)
            {
                Span<float> ya = y.Slice((o * n + a) * inner, inner);
                if (accumulate) TensorPrimitives.MultiplyAdd(xo, scale, ya, ya);
                else TensorPrimitives.Multiply(xo, scale, ya);
            }
        }
    }

    internal static void ArgMax(ReadOnlySpan<float> x, int columns, Span<int> indices)
    {
        for (int r = 0; r < indices.Length; r++) indices[r] = TensorPrimitives.IndexOfMax(x.Slice(r * columns, columns));
    }

    // y[b, j, i] (=|+=) x[b, i, j] for each of the batch matrices of shape rows×cols.
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
}
