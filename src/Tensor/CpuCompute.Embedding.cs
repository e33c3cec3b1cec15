using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

// The embedding primitives of the CPU backend: argument checks here, loops in Cpu/EmbeddingKernels.
public sealed partial class CpuCompute
{
    /// <inheritdoc />
    public void EmbeddingForward(Tensor y, Tensor table, IntTensor indices, IntTensor offsets, bool mean)
    {
        Check(y, nameof(y), table, nameof(table));
        ComputeChecks.Owned(this, indices, nameof(indices));
        ComputeChecks.Owned(this, offsets, nameof(offsets));
        int width = ComputeChecks.EmbeddingWidth(table, nameof(table), y, nameof(y));
        ComputeChecks.BagOffsets(offsets.Span, y.Shape.Rows, indices.Length);
        ComputeChecks.Indices(indices.Span, table.Shape.Rows, nameof(indices));
        EmbeddingKernels.Forward(CpuKernels.Path, y.Span, table.Span, width, indices.Span, offsets.Span, mean);
    }

    /// <inheritdoc />
    public void EmbeddingBackward(Tensor rows, IntTensor slots, Tensor dy, IntTensor offsets, bool mean)
    {
        Check(rows, nameof(rows), dy, nameof(dy));
        ComputeChecks.Owned(this, slots, nameof(slots));
        ComputeChecks.Owned(this, offsets, nameof(offsets));
        int width = ComputeChecks.EmbeddingWidth(rows, nameof(rows), dy, nameof(dy));
        ComputeChecks.BagOffsets(offsets.Span, dy.Shape.Rows, slots.Length);
        ComputeChecks.Indices(slots.Span, rows.Shape.Rows, nameof(slots));
        EmbeddingKernels.Backward(CpuKernels.Path, rows.Span, dy.Span, width, slots.Span, offsets.Span, mean);
    }

    /// <inheritdoc />
    public void SparseAdamUpdate(Tensor parameter, IntTensor rows, Tensor rowGradients, Tensor m, Tensor v, AdamStep step)
    {
        ComputeChecks.Owned(this, rows, nameof(rows));
        Check(parameter, nameof(parameter), rowGradients, nameof(rowGradients));
        Check(m, nameof(m), v, nameof(v));
        int width = ComputeChecks.SparseAdam(parameter, rows, rowGradients, m, v, step);
        ComputeChecks.Indices(rows.Span, parameter.Shape.Rows, nameof(rows));
        EmbeddingKernels.SparseAdam(CpuKernels.Path, parameter.Span, rows.Span, rowGradients.Span, m.Span, v.Span, width, step);
    }
}
