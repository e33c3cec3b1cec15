using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

// The embedding primitives of the CPU backend: argument checks here, loops in Cpu/EmbeddingKernels.
public sealed partial class CpuCompute
{
    /// <inheritdoc />
    public void EmbeddingForward(Tensor y, Tensor table, ReadOnlySpan<int> indices, ReadOnlySpan<int> offsets, bool mean)
    {
        Check(y, nameof(y), table, nameof(table));
        int width = EmbeddingWidth(table, nameof(table), y, nameof(y));
        ComputeChecks.BagOffsets(offsets, y.Shape.Rows, indices.Length);
        ComputeChecks.Indices(indices, table.Shape.Rows, nameof(indices));
        EmbeddingKernels.Forward(CpuKernels.Path, y.Span, table.Span, width, indices, offsets, mean);
    }

    /// <inheritdoc />
    public void EmbeddingBackward(Tensor rows, ReadOnlySpan<int> slots, Tensor dy, ReadOnlySpan<int> offsets, bool mean)
    {
        Check(rows, nameof(rows), dy, nameof(dy));
        int width = EmbeddingWidth(rows, nameof(rows), dy, nameof(dy));
        ComputeChecks.BagOffsets(offsets, dy.Shape.Rows, slots.Length);
        ComputeChecks.Indices(slots, rows.Shape.Rows, nameof(slots));
        EmbeddingKernels.Backward(CpuKernels.Path, rows.Span, dy.Span, width, slots, offsets, mean);
    }

    /// <inheritdoc />
    public void SparseAdamUpdate(Tensor parameter, ReadOnlySpan<int> rows, Tensor rowGradients, Tensor m, Tensor v, AdamStep step)
    {
        Check(parameter, nameof(parameter), rowGradients, nameof(rowGradients));
        Check(m, nameof(m), v, nameof(v));
        ComputeChecks.SameShape(parameter, nameof(parameter), m, nameof(m));
        ComputeChecks.SameShape(parameter, nameof(parameter), v, nameof(v));
        int width = EmbeddingWidth(parameter, nameof(parameter), rowGradients, nameof(rowGradients));
        if (rowGradients.Shape.Rows < rows.Length)
            throw new ArgumentException($"{rows.Length} rows to update but 'rowGradients' {rowGradients.Shape} holds {rowGradients.Shape.Rows}.", nameof(rowGradients));
        ComputeChecks.Indices(rows, parameter.Shape.Rows, nameof(rows));
        if (step.WeightDecay != 0f)
            throw new ArgumentOutOfRangeException(nameof(step), $"Sparse Adam has no weight decay (PyTorch's SparseAdam neither); got {step.WeightDecay}.");
        EmbeddingKernels.SparseAdam(CpuKernels.Path, parameter.Span, rows, rowGradients.Span, m.Span, v.Span, width, step);
    }

    // The row width shared by a [R, D] table-like tensor and a [N, D] row tensor.
    private static int EmbeddingWidth(Tensor table, string tableName, Tensor rows, string rowsName)
    {
        if (table.Rank != 2 || rows.Rank != 2 || table.Shape[1] != rows.Shape[1])
            throw new ArgumentException($"'{tableName}' {table.Shape} and '{rowsName}' {rows.Shape} must both be matrices of the same row width.", rowsName);
        return table.Shape[1];
    }
}
