using System.Runtime.CompilerServices;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Elementwise maps, their derivatives, the broadcasting binary ops and the level-1 updates (y += x, y = αx + βy),
/// over spans. Everything runs on the given kernel path through the operator structs of VectorOperators.cs and
/// ElementwiseOperators.cs, except tanh and GELU, scalar loops kept for their accuracy on every path. Plain
/// references are in Elementwise.Reference.cs.
/// </summary>
internal static class Elementwise
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Unary(KernelPath path, UnaryOp op, ReadOnlySpan<float> x, Span<float> y, float parameter)
    {
        switch (op)
        {
            case UnaryOp.Relu: Map(path, default(ReluOperator), x, y); break;
            case UnaryOp.Tanh:
                // TensorPrimitives.Tanh (11.0.0) loses relative accuracy near 0 (33% at 1e-7, 1e-5 at 2e-3), which
                // breaks tanh(x) ≈ x for small activations; MathF.Tanh is correctly behaved there.
                for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
                break;
            case UnaryOp.Sigmoid: Map(path, default(SigmoidOperator), x, y); break;
            case UnaryOp.LeakyRelu: Map(path, new LeakyReluOperator(parameter), x, y); break;
            case UnaryOp.Gelu:
                for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] * SpecialFunctions.NormalCdf(x[i]));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op.");
        }
    }

    // dx (+)= f'(x)·dy, with f' written in terms of y where that is cheaper (tanh, sigmoid).
    internal static void UnaryBackward(KernelPath path, UnaryOp op, Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, float parameter, bool accumulate = true)
    {
        switch (op)
        {
            case UnaryOp.Relu: Gradient(path, default(ReluGradient), x, dy, dx, accumulate); break;
            case UnaryOp.LeakyRelu: Gradient(path, new LeakyReluGradient(parameter), x, dy, dx, accumulate); break;
            case UnaryOp.Tanh: Gradient(path, default(TanhGradient), y, dy, dx, accumulate); break;
            case UnaryOp.Sigmoid: Gradient(path, default(SigmoidGradient), y, dy, dx, accumulate); break;
            case UnaryOp.Gelu: Gradient(path, default(GeluGradient), x, dy, dx, accumulate); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op.");
        }
    }

    // dx (+)= f'(·)·dy for one gradient operator: added into dx, or written over it.
    private static void Gradient<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
        where TOp : struct, IBinaryOperator
    {
        if (accumulate) MapAdd(path, op, a, dy, dx);
        else Map(path, op, a, dy, dx);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator =>
        VectorLoop.Map(path, op, x, y);

    // One compiled loop per operator, rather than every operator's loop inlined into the switch above, whose
    // combined live values would be spilled inside the loops.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapAdd<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOperator => VectorLoop.MapAdd(path, op, a, b, y);

    // y (=|+=) a ∘ b with a and b broadcast to y's shape by PyTorch's rule (the boundary checked the shapes). Equal
    // lengths (the same shape, up to leading or inner 1s) and a one-element operand are one run over y; any other pair
    // goes row by row through a BroadcastPlan, which makes a bias row one contiguous pass per row of y.
    internal static void Binary(KernelPath path, BinaryOp op, ReadOnlySpan<float> a, Shape aShape, ReadOnlySpan<float> b, Shape bShape,
        Span<float> y, Shape yShape, bool accumulate)
    {
        switch (op)
        {
            case BinaryOp.Add: Binary(path, default(AddOperator), a, aShape, b, bShape, y, yShape, accumulate); break;
            case BinaryOp.Subtract: Binary(path, default(SubtractOperator), a, aShape, b, bShape, y, yShape, accumulate); break;
            case BinaryOp.Multiply: Binary(path, default(MultiplyOperator), a, aShape, b, bShape, y, yShape, accumulate); break;
            case BinaryOp.Divide: Binary(path, default(DivideOperator), a, aShape, b, bShape, y, yShape, accumulate); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op.");
        }
    }

    /// <summary>y += x (same lengths): the accumulation of every backward pass.</summary>
    internal static void AddTo(KernelPath path, ReadOnlySpan<float> x, Span<float> y) => MapAdd(path, default(IdentityOperator), x, y);

    /// <summary>y = α·x + β·y (same lengths); β = 0 ignores y's old contents (NaN included), β = 1 is y += α·x.</summary>
    internal static void Axpby(KernelPath path, ReadOnlySpan<float> x, Span<float> y, float alpha, float beta)
    {
        if (beta == 0f) Map(path, new ScaleOperator(alpha), x, y);
        else if (beta == 1f) MapAdd(path, new ScaleOperator(alpha), x, y);
        else Map(path, new AxpbyOperator(alpha, beta), x, y, y);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Binary<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, Shape aShape, ReadOnlySpan<float> b, Shape bShape,
        Span<float> y, Shape yShape, bool accumulate) where TOp : struct, IBinaryOperator
    {
        if (a.Length == y.Length && b.Length == y.Length) Both(path, op, a, b, y, accumulate);
        else if (b.Length == 1) Right(path, op, a, b[0], y, accumulate);
        else if (a.Length == 1) Left(path, op, a[0], b, y, accumulate);
        else
        {
            var plan = BroadcastPlan.Create(yShape, aShape, bShape);
            int n = plan.Columns;
            for (int r = 0; r < plan.Rows; r++)
            {
                plan.Offsets(r, out int oa, out int ob);
                Span<float> row = y.Slice(r * n, n);
                if (plan.StrideA == 0) Left(path, op, a[oa], b.Slice(ob, n), row, accumulate);
                else if (plan.StrideB == 0) Right(path, op, a.Slice(oa, n), b[ob], row, accumulate);
                else Both(path, op, a.Slice(oa, n), b.Slice(ob, n), row, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Both<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, bool accumulate)
        where TOp : struct, IBinaryOperator
    {
        if (accumulate) VectorLoop.MapAdd(path, op, a, b, y);
        else VectorLoop.Map(path, op, a, b, y);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Right<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, float b, Span<float> y, bool accumulate)
        where TOp : struct, IBinaryOperator
    {
        if (accumulate) VectorLoop.MapAdd(path, new RightScalar<TOp>(op, b), a, y);
        else VectorLoop.Map(path, new RightScalar<TOp>(op, b), a, y);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Left<TOp>(KernelPath path, TOp op, float a, ReadOnlySpan<float> b, Span<float> y, bool accumulate)
        where TOp : struct, IBinaryOperator
    {
        if (accumulate) VectorLoop.MapAdd(path, new LeftScalar<TOp>(op, a), b, y);
        else VectorLoop.Map(path, new LeftScalar<TOp>(op, a), b, y);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapAdd<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator =>
        VectorLoop.MapAdd(path, op, x, y);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOperator => VectorLoop.Map(path, op, a, b, y);
}
