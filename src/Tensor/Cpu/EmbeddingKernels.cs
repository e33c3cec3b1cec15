using System.Numerics.Tensors;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Embedding lookups, their backward and lazy Adam over row-major [rows, width] tables. The row operations are
/// vectorised by <see cref="TensorPrimitives"/>; <see cref="EmbeddingReference"/> holds the same arithmetic as plain
/// loops, and tests compare the two. The touched rows are few per step, so these loops stay single-threaded.
/// </summary>
internal static class EmbeddingKernels
{
    internal static void Forward(Span<float> y, ReadOnlySpan<float> table, int width, ReadOnlySpan<int> indices,
        ReadOnlySpan<int> offsets, bool mean)
    {
        int bags = width == 0 ? 0 : y.Length / width;
        for (int b = 0; b < bags; b++)
        {
            Span<float> row = y.Slice(b * width, width);
            (int start, int end) = Bag(offsets, b);
            if (start == end)
            {
                row.Clear();
                continue;
            }
            table.Slice(indices[start] * width, width).CopyTo(row);
            for (int j = start + 1; j < end; j++) TensorPrimitives.Add(row, table.Slice(indices[j] * width, width), row);
            if (mean && end - start > 1) TensorPrimitives.Multiply(row, 1f / (end - start), row);
        }
    }

    internal static void Backward(Span<float> rows, ReadOnlySpan<float> dy, int width, ReadOnlySpan<int> slots,
        ReadOnlySpan<int> offsets, bool mean)
    {
        int bags = width == 0 ? 0 : dy.Length / width;
        for (int b = 0; b < bags; b++)
        {
            ReadOnlySpan<float> g = dy.Slice(b * width, width);
            (int start, int end) = Bag(offsets, b);
            float scale = mean && end - start > 1 ? 1f / (end - start) : 1f;
            for (int j = start; j < end; j++)
            {
                Span<float> target = rows.Slice(slots[j] * width, width);
                if (scale == 1f) TensorPrimitives.Add(target, g, target);
                else TensorPrimitives.MultiplyAdd(g, scale, target, target);
            }
        }
    }

    // PyTorch 1.13 SparseAdam, element for element: the moment updates are written as increments (m += (1−β1)(g − m)),
    // the step size folds both bias corrections, and ε is added to √v before the division.
    internal static void SparseAdam(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        int width, AdamStep s)
    {
        double bc1 = 1.0 - Math.Pow(s.Beta1, s.Step);
        double bc2 = 1.0 - Math.Pow(s.Beta2, s.Step);
        float stepSize = (float)(s.LearningRate * Math.Sqrt(bc2) / bc1);
        for (int k = 0; k < rows.Length; k++)
        {
            int offset = rows[k] * width;
            ReadOnlySpan<float> gk = g.Slice(k * width, width);
            Span<float> pk = p.Slice(offset, width), mk = m.Slice(offset, width), vk = v.Slice(offset, width);
            for (int i = 0; i < width; i++)
            {
                float gi = gk[i];
                mk[i] += (gi - mk[i]) * (1f - s.Beta1);
                vk[i] += (gi * gi - vk[i]) * (1f - s.Beta2);
                pk[i] += -stepSize * (mk[i] / (MathF.Sqrt(vk[i]) + s.Epsilon));
            }
        }
    }

    private static (int Start, int End) Bag(ReadOnlySpan<int> offsets, int b) =>
        offsets.IsEmpty ? (b, b + 1) : (offsets[b], offsets[b + 1]);
}
