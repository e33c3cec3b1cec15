namespace TinyKd.Tensors.Cpu;

/// <summary>The plain lookup every <see cref="Int8EmbeddingKernels"/> path equals bit for bit.</summary>
internal static class Int8EmbeddingReference
{
    /// <summary>y[k·width + d] = q[ids[k]·width + d]·scales[ids[k]] for k &lt; ids.Length, d &lt; width.</summary>
    public static void Gather(ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, int width, ReadOnlySpan<int> ids, Span<float> y)
    {
        for (int k = 0; k < ids.Length; k++)
            for (int d = 0; d < width; d++)
                y[k * width + d] = codes[ids[k] * width + d] * scales[ids[k]];
    }
}
