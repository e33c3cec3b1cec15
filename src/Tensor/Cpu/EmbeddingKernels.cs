using System.Runtime.CompilerServices;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Embedding lookups, their backward and lazy Adam over row-major [rows, width] tables. The row operations run on the
/// given kernel path through <see cref="VectorLoop"/>; <see cref="EmbeddingReference"/> and
/// <see cref="OptimizerReference.SparseAdam"/> hold the same arithmetic as plain loops, and tests compare them. The
/// touched rows are few per step, so these loops stay single-threaded.
/// </summary>
internal static class EmbeddingKernels
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(KernelPath path, Span<float> y, ReadOnlySpan<float> table, int width, ReadOnlySpan<int> indices,
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
            for (int j = start + 1; j < end; j++) VectorLoop.MapAdd(path, default(IdentityOperator), table.Slice(indices[j] * width, width), row);
            if (mean && end - start > 1) VectorLoop.Map(path, new ScaleOperator(1f / (end - start)), row, row);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Backward(KernelPath path, Span<float> rows, ReadOnlySpan<float> dy, int width, ReadOnlySpan<int> slots,
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
                VectorLoop.MapAdd(path, new ScaleOperator(scale), g, target);
            }
        }
    }

    // Lazy Adam row by row: each listed row of p, m and v goes through the vectorised update loop with
    // SparseAdamOperator (OptimizerKernels), which matches OptimizerReference.SparseAdam bit for bit.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void SparseAdam(KernelPath path, Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> g, Span<float> m,
        Span<float> v, int width, AdamStep s)
    {
        var op = new SparseAdamOperator(s);
        for (int k = 0; k < rows.Length; k++)
        {
            int offset = rows[k] * width;
            VectorLoop.Update(path, op, p.Slice(offset, width), g.Slice(k * width, width), m.Slice(offset, width), v.Slice(offset, width));
        }
    }

    private static (int Start, int End) Bag(ReadOnlySpan<int> offsets, int b) =>
        offsets.IsEmpty ? (b, b + 1) : (offsets[b], offsets[b + 1]);
}
