namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The embedding lookup and its backward as plain scalar loops: the reference that the vectorised
/// <c>EmbeddingKernels</c> are tested against. Same conventions as <see cref="ICompute.EmbeddingForward"/>.
/// </summary>
public static class EmbeddingReference
{
    /// <summary>y[b] = Σ (or mean) of table[indices[j]] over bag b; empty offsets mean one index per bag.</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> table, int width, ReadOnlySpan<int> indices,
        ReadOnlySpan<int> offsets, bool mean)
    {
        int bags = offsets.IsEmpty ? indices.Length : offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            int start = offsets.IsEmpty ? b : offsets[b], end = offsets.IsEmpty ? b + 1 : offsets[b + 1];
            for (int c = 0; c < width; c++)
            {
                float sum = 0f;
                for (int j = start; j < end; j++) sum += table[indices[j] * width + c];
                y[b * width + c] = mean && end - start > 1 ? sum * (1f / (end - start)) : sum;
            }
        }
    }

    /// <summary>rows[slots[j]] += dy[b] (÷ bag size when <paramref name="mean"/>) for every index j of bag b.</summary>
    public static void Backward(Span<float> rows, ReadOnlySpan<float> dy, int width, ReadOnlySpan<int> slots,
        ReadOnlySpan<int> offsets, bool mean)
    {
        int bags = offsets.IsEmpty ? slots.Length : offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            int start = offsets.IsEmpty ? b : offsets[b], end = offsets.IsEmpty ? b + 1 : offsets[b + 1];
            float scale = mean && end - start > 1 ? 1f / (end - start) : 1f;
            for (int j = start; j < end; j++)
                for (int c = 0; c < width; c++)
                    rows[slots[j] * width + c] += dy[b * width + c] * scale;
        }
    }
}
