using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Elementwise maps, their derivatives and the row-broadcast binary ops, over spans. The derivatives, LeakyReLU and
/// the accumulating division run on the given kernel path through the operator structs of
/// ElementwiseOperators.cs; the rest are TensorPrimitives calls (always the widest path) or, for tanh and GELU,
/// scalar loops kept for their accuracy. Plain references are in Elementwise.Reference.cs.
/// </summary>
internal static class Elementwise
{
    internal static void Unary(KernelPath path, UnaryOp op, ReadOnlySpan<float> x, Span<float> y, float parameter)
    {
        if (x.IsEmpty) return; // TensorPrimitives.Sigmoid rejects empty spans.
        switch (op)
        {
            case UnaryOp.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case UnaryOp.Tanh:
                // TensorPrimitives.Tanh (11.0.0) loses relative accuracy near 0 (33% at 1e-7, 1e-5 at 2e-3), which
                // breaks tanh(x) ≈ x for small activations; MathF.Tanh is correctly behaved there.
                for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
                break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.LeakyRelu: Map(path, new LeakyReluOperator(parameter), x, y); break;
            case UnaryOp.Gelu:
                for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] * SpecialFunctions.NormalCdf(x[i]));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op.");
        }
    }

    // dx += f'(x)·dy, with f' written in terms of y where that is cheaper (tanh, sigmoid).
    internal static void UnaryBackward(KernelPath path, UnaryOp op, Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, float parameter)
    {
        switch (op)
        {
            case UnaryOp.Relu: MapAdd(path, default(ReluGradient), x, dy, dx); break;
            case UnaryOp.LeakyRelu: MapAdd(path, new LeakyReluGradient(parameter), x, dy, dx); break;
            case UnaryOp.Tanh: MapAdd(path, default(TanhGradient), y, dy, dx); break;
            case UnaryOp.Sigmoid: MapAdd(path, default(SigmoidGradient), y, dy, dx); break;
            case UnaryOp.Gelu: MapAdd(path, default(GeluGradient), x, dy, dx); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator =>
        VectorLoop.Map(path, op, x, y);

    // One compiled loop per operator, rather than every operator's loop inlined into the switch above, whose
    // combined live values would be spilled inside the loops.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MapAdd<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOperator => VectorLoop.MapAdd(path, op, a, b, y);

    // y (=|+=) a ∘ b where b has a's length, one element, or one row's length (then repeated over a's rows).
    internal static void Binary(KernelPath path, BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, bool accumulate)
    {
        if (b.Length == a.Length || b.Length == 1)
        {
            Apply(path, op, a, b, y, accumulate);
            return;
        }
        int row = b.Length;
        for (int r = 0; r < a.Length; r += row)
            Apply(path, op, a.Slice(r, row), b, y.Slice(r, row), accumulate);
    }

    private static void Apply(KernelPath path, BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, bool accumulate)
    {
        bool scalar = b.Length == 1 && a.Length != 1;
        if (!accumulate)
        {
            switch (op)
            {
                case BinaryOp.Add: if (scalar) TensorPrimitives.Add(a, b[0], y); else TensorPrimitives.Add(a, b, y); break;
                case BinaryOp.Subtract: if (scalar) TensorPrimitives.Subtract(a, b[0], y); else TensorPrimitives.Subtract(a, b, y); break;
                case BinaryOp.Multiply: if (scalar) TensorPrimitives.Multiply(a, b[0], y); else TensorPrimitives.Multiply(a, b, y); break;
                case BinaryOp.Divide: if (scalar) TensorPrimitives.Divide(a, b[0], y); else TensorPrimitives.Divide(a, b, y); break;
                default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op.");
            }
            return;
        }
        switch (op)
        {
            case BinaryOp.Add:
                TensorPrimitives.Add(y, a, y);
                if (scalar) TensorPrimitives.Add(y, b[0], y); else TensorPrimitives.Add(y, b, y);
                break;
            case BinaryOp.Subtract:
                TensorPrimitives.Add(y, a, y);
                if (scalar) TensorPrimitives.Subtract(y, b[0], y); else TensorPrimitives.Subtract(y, b, y);
                break;
            case BinaryOp.Multiply:
                if (scalar) TensorPrimitives.MultiplyAdd(a, b[0], y, y); else TensorPrimitives.MultiplyAdd(a, b, y, y);
                break;
            case BinaryOp.Divide:
                if (scalar) { float inv = 1f / b[0]; TensorPrimitives.MultiplyAdd(a, inv, y, y); }
                else MapAdd(path, default(DivideOperator), a, b, y);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op.");
        }
    }
}
