using ILGPU;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void Unary(UnaryOp op, Tensor y, Tensor x, float parameter = 0f)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        if (x.Length > 0) _kernels.Unary(x.Length, yv, xv, UnaryCode(op), parameter);
    }

    /// <inheritdoc />
    public void UnaryBackward(UnaryOp op, Tensor dx, Tensor x, Tensor y, Tensor dy, float parameter = 0f, bool accumulate = true)
    {
        ArrayView<float> dxv = View(dx, nameof(dx)), xv = View(x, nameof(x)), yv = View(y, nameof(y)), dyv = View(dy, nameof(dy));
        ComputeChecks.SameLength(x, nameof(x), dx, nameof(dx));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        ComputeChecks.SameLength(x, nameof(x), dy, nameof(dy));
        if (x.Length > 0) _kernels.UnaryBackward(x.Length, dxv, xv, yv, dyv, UnaryCode(op), parameter, accumulate ? 1 : 0);
    }

    private static int UnaryCode(UnaryOp op) => op switch
    {
        UnaryOp.Relu => ElementwiseKernels.Relu,
        UnaryOp.LeakyRelu => ElementwiseKernels.LeakyRelu,
        UnaryOp.Tanh => ElementwiseKernels.Tanh,
        UnaryOp.Sigmoid => ElementwiseKernels.Sigmoid,
        UnaryOp.Gelu => ElementwiseKernels.Gelu,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op."),
    };

    /// <inheritdoc />
    public void Binary(BinaryOp op, Tensor y, Tensor a, Tensor b, bool accumulate = false)
    {
        ArrayView<float> yv = View(y, nameof(y)), av = View(a, nameof(a)), bv = View(b, nameof(b));
        Shape shape = ComputeChecks.Broadcast(a, nameof(a), b, nameof(b));
        if (y.Shape != shape)
            throw new ArgumentException($"Tensor 'y' {y.Shape} must have the broadcast shape {shape} of 'a' {a.Shape} and 'b' {b.Shape}.", nameof(y));
        int code = op switch
        {
            BinaryOp.Add => ElementwiseKernels.Add,
            BinaryOp.Subtract => ElementwiseKernels.Subtract,
            BinaryOp.Multiply => ElementwiseKernels.Multiply,
            BinaryOp.Divide => ElementwiseKernels.Divide,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op."),
        };
        if (y.Length > 0)
            _kernels.Binary(y.Length, yv, av, bv, Dims4.Of(shape), Dims4.Of(a.Shape), Dims4.Of(b.Shape), code, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void Axpby(Tensor y, Tensor x, float alpha, float beta)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        if (x.Length > 0) _kernels.Axpby(x.Length, yv, xv, alpha, beta);
    }

    /// <inheritdoc />
    public void ScaledAdd(Tensor y, Tensor x, Tensor scale, float factor = 1f, float divisor = 1f, bool accumulate = true)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x)), sv = ScalarView(scale, nameof(scale));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        if (x.Length > 0) _kernels.ScaledAdd(x.Length, yv, xv, sv, factor, divisor, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void DropoutMask(Tensor mask, float p, ulong seed, ulong stream)
    {
        ArrayView<float> mv = View(mask, nameof(mask));
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"The dropout probability must be in [0, 1); got {p}.");
        if (mask.Length > 0) _kernels.DropoutMask(mask.Length, mv, p, 1f / (1f - p), seed, stream);
    }

    // A one-element tensor of this backend (a loss gradient) as a view the kernel reads.
    private ArrayView<float> ScalarView(Tensor scale, string name)
    {
        ArrayView<float> view = View(scale, name);
        if (scale.Length != 1) throw new ArgumentException($"'{name}' must hold one element; got shape {scale.Shape}.", name);
        return view;
    }
}
