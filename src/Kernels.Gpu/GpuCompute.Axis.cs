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
