using ILGPU;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

// The embedding primitives on the device (kernels in Kernels/EmbeddingKernels.cs). The indices, offsets and row lists
// are int tensors of this backend, so only their lengths are checked here: their values were checked where the host
// made them (see ICompute's remarks).
public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void EmbeddingForward(Tensor y, Tensor table, IntTensor indices, IntTensor offsets, bool mean)
    {
        ArrayView<float> yv = View(y, nameof(y)), tv = View(table, nameof(table));
        ArrayView<int> iv = View(indices, nameof(indices)), ov = View(offsets, nameof(offsets));
        int width = ComputeChecks.EmbeddingWidth(table, nameof(table), y, nameof(y));
        ComputeChecks.BagCounts(indices, offsets, y.Shape.Rows);
        if (y.Length > 0) _kernels.EmbeddingForward(y.Length, yv, tv, iv, ov, width, offsets.IsEmpty ? 0 : 1, mean ? 1 : 0);
    }

    /// <inheritdoc />
    public void EmbeddingBackward(Tensor rows, IntTensor slots, Tensor dy, IntTensor offsets, bool mean)
    {
        ArrayView<float> rv = View(rows, nameof(rows)), dyv = View(dy, nameof(dy));
        ArrayView<int> sv = View(slots, nameof(slots)), ov = View(offsets, nameof(offsets));
        int width = ComputeChecks.EmbeddingWidth(rows, nameof(rows), dy, nameof(dy));
        ComputeChecks.BagCounts(slots, offsets, dy.Shape.Rows);
        if (slots.Length > 0 && width > 0)
            _kernels.EmbeddingBackward(width, rv, dyv, sv, ov, width, dy.Shape.Rows, offsets.IsEmpty ? 0 : 1, mean ? 1 : 0);
    }

    /// <summary>
    /// As <see cref="ICompute.EmbeddingBackward(Tensor, IntTensor, IntTensor, Tensor, IntTensor, bool)"/>: one thread
    /// per (slot, column) sums the slot's bags in the listed order, bit for bit the plain form's result. An empty
    /// grouping falls back to the plain form (one thread per column).
    /// </summary>
    /// <exception cref="ArgumentException">The grouping's length does not fit the slots and the rows.</exception>
    public void EmbeddingBackward(Tensor rows, IntTensor slots, IntTensor slotGroups, Tensor dy, IntTensor offsets, bool mean)
    {
        if (slotGroups.IsEmpty)
        {
            EmbeddingBackward(rows, slots, dy, offsets, mean);
            return;
        }
        ArrayView<float> rv = View(rows, nameof(rows)), dyv = View(dy, nameof(dy));
        ArrayView<int> gv = View(slotGroups, nameof(slotGroups)), ov = View(offsets, nameof(offsets));
        int width = ComputeChecks.EmbeddingWidth(rows, nameof(rows), dy, nameof(dy));
        ComputeChecks.BagCounts(slots, offsets, dy.Shape.Rows);
        int slotCount = slotGroups.Length - 1 - slots.Length;
        if (slotCount < 0 || slotCount > rows.Shape.Rows)
            throw new ArgumentException(
                $"EmbeddingBackward: {slotGroups.Length} slot-group entries for {slots.Length} indices name {slotCount} slots; rows has {rows.Shape.Rows}.", nameof(slotGroups));
        if (slotCount > 0 && width > 0)
            _kernels.EmbeddingBackwardGrouped(slotCount * width, rv, dyv, gv, ov, width, slotCount, offsets.IsEmpty ? 0 : 1, mean ? 1 : 0);
    }

    /// <summary>As <see cref="ICompute.SparseAdamUpdate"/>; the listed rows must be distinct (as a row-sparse gradient lists them).</summary>
    public void SparseAdamUpdate(Tensor parameter, IntTensor rows, Tensor rowGradients, Tensor m, Tensor v, AdamStep step)
    {
        ArrayView<float> p = View(parameter, nameof(parameter)), g = View(rowGradients, nameof(rowGradients));
        ArrayView<float> mv = View(m, nameof(m)), vv = View(v, nameof(v));
        ArrayView<int> rv = View(rows, nameof(rows));
        int width = ComputeChecks.SparseAdam(parameter, rows, rowGradients, m, v, step);
        if (rows.Length == 0 || width == 0) return;
        // The scalars of Cpu/SparseAdamOperator: bias corrections in double, the step size rounded once.
        double bc1 = 1.0 - Math.Pow(step.Beta1, step.Step), bc2 = 1.0 - Math.Pow(step.Beta2, step.Step);
        var scalars = new SparseAdamScalars(1f - step.Beta1, 1f - step.Beta2, -(float)(step.LearningRate * Math.Sqrt(bc2) / bc1), step.Epsilon);
        _kernels.SparseAdam(rows.Length * width, p, rv, g.SubView(0, rows.Length * width), mv, vv, width, scalars);
    }
}
