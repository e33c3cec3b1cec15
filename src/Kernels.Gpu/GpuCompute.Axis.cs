using ILGPU;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void SumTo(Tensor y, Tensor x, float scale = 1f, bool accumulate = false)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        ComputeChecks.BroadcastsTo(y, nameof(y), x, nameof(x));
        if (y.Length > 0) _kernels.SumTo(y.Length, yv, xv, Dims4.Of(x.Shape), Dims4.Of(y.Shape), scale, accumulate ? 1 : 0);
    }

    /// <summary>
    /// As <see cref="ICompute.ReluBackwardWithColumnSums"/>, in one launch: groups of a warp's width of columns by the
    /// group's remaining threads of row phases, the phases' partial sums added in shared memory in a fixed order.
    /// </summary>
    public void ReluBackwardWithColumnSums(Tensor dpre, Tensor y, Tensor dy, Tensor columnSums, bool accumulateSums)
    {
        ArrayView<float> d = View(dpre, nameof(dpre)), yv = View(y, nameof(y)), dyv = View(dy, nameof(dy));
        ArrayView<float> sums = View(columnSums, nameof(columnSums));
        ComputeChecks.SameShape(y, nameof(y), dy, nameof(dy));
        ComputeChecks.SameShape(y, nameof(y), dpre, nameof(dpre));
        if (y.Shape.Rank != 2 || columnSums.Length != y.Shape[1])
            throw new ArgumentException($"The column sums of {y.Shape} need a [B, N] tensor and N sums; got {columnSums.Shape}.", nameof(columnSums));
        int rows = y.Shape[0], columns = y.Shape[1], width = _accelerator.WarpSize, phases = Math.Max(1, _groupSize / width);
        if (columns == 0) return;
        var config = new KernelConfig(new Index2D((columns + width - 1) / width, 1), new Index2D(width, phases),
            SharedMemoryConfig.RequestDynamic<float>(width * phases));
        _kernels.ReluBackwardColumnSums(config, d, yv, dyv, sums, rows, columns, accumulateSums ? 1 : 0);
    }

    /// <inheritdoc />
    public void Reduce(ReduceOp op, Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        var (_, n, inner) = ComputeChecks.Reduce(op, y, x, axis, accumulate);
        int code = op switch
        {
            ReduceOp.Sum => AxisKernels.Sum,
            ReduceOp.Mean => AxisKernels.Mean,
            ReduceOp.Max => AxisKernels.Max,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduction."),
        };
        if (op == ReduceOp.Mean) scale /= Math.Max(n, 1);
        if (y.Length == 0) return;
        if (n > _accelerator.WarpSize) _kernels.ReduceWarp(WarpPerRow(y.Length), yv, xv, y.Length, n, inner, code, scale, accumulate ? 1 : 0);
        else _kernels.Reduce(y.Length, yv, xv, n, inner, code, scale, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void BroadcastAxis(Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        var (_, n, inner) = ComputeChecks.BroadcastAxis(y, x, axis);
        if (y.Length > 0) _kernels.BroadcastAxis(y.Length, yv, xv, n, inner, scale, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void TransposeLastTwo(Tensor y, Tensor x, bool accumulate = false)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        var (rows, cols) = ComputeChecks.TransposeLastTwo(y, x);
        if (x.Length > 0) _kernels.TransposeLastTwo(x.Length, yv, xv, rows, cols, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void CopyAlongAxis(Tensor y, int yStart, Tensor x, int xStart, int count, int axis, bool accumulate = false)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        int a = ComputeChecks.CopyAlongAxis(y, yStart, x, xStart, count, axis);
        int outer = x.Shape.Outer(a), inner = x.Shape.Inner(a), total = outer * count * inner;
        if (total > 0)
            _kernels.CopyAlongAxis(total, yv, xv, new AxisCopy(inner, count, x.Shape[a], xStart, y.Shape[a], yStart), accumulate ? 1 : 0);
    }
}
