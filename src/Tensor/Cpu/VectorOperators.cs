using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

// The operator-struct pattern of System.Numerics.Tensors.TensorPrimitives: the maths of one element lives in a small
// struct with one Invoke per width, and VectorLoop owns the loop, the remainder and the dispatch on KernelPath.
// Unlike TensorPrimitives' static-abstract operators these are instance methods, because most of ours carry
// parameters (the temperature, a row's max, Adam's constants). Being structs, every Invoke is specialised and
// inlined into the driver by the JIT. An operator's three Invokes compute the same formula with the same
// operations in the same order, so a result does not depend on the path or on an element's position in the span.
// One Invoke per width rather than one generic over the vector (a wrapper struct per width behind an interface, as
// .NET's ISimdVector is internal): every +, × and FMA then became a call to inline, the GELU backward map went from
// 35 inlinees to 739 and ran out of the JIT's inlining budget (45 calls left in its last step and scalar loop; the
// sigmoid map's whole AVX2 loop became a call), and loads were no longer folded into the arithmetic.

/// <summary>y = f(x).</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>y = f(a, b).</summary>
internal interface IBinaryOperator
{
    float Invoke(float a, float b);
    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}

/// <summary>y = f(a, b, c).</summary>
internal interface ITernaryOperator
{
    float Invoke(float a, float b, float c);
    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> c);
    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b, Vector512<float> c);
}

/// <summary>
/// An in-place update of a parameter p from its gradient g and up to two state buffers (the optimizers).
/// <see cref="StateCount"/> is a compile-time constant per operator, so the driver loads and stores only the
/// states the operator uses.
/// </summary>
internal interface IUpdateOperator
{
    static abstract int StateCount { get; }
    void Invoke(ref float p, float g, ref float s1, ref float s2);
    void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> s1, ref Vector256<float> s2);
    void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> s1, ref Vector512<float> s2);
}

/// <summary>acc + f(x): turns a unary map into an accumulating one (a backward pass adds into its gradient).</summary>
internal readonly struct AddUnary<TOp>(TOp op) : IBinaryOperator where TOp : struct, IUnaryOperator
{
    private readonly TOp _op = op;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float acc) => acc + _op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> acc) => acc + _op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> acc) => acc + _op.Invoke(x);
}

/// <summary>acc + f(a, b).</summary>
internal readonly struct AddBinary<TOp>(TOp op) : ITernaryOperator where TOp : struct, IBinaryOperator
{
    private readonly TOp _op = op;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float a, float b, float acc) => acc + _op.Invoke(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> acc) => acc + _op.Invoke(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b, Vector512<float> acc) => acc + _op.Invoke(a, b);
}

/// <summary>x.</summary>
internal readonly struct IdentityOperator : IUnaryOperator
{
    public float Invoke(float x) => x;
    public Vector256<float> Invoke(Vector256<float> x) => x;
    public Vector512<float> Invoke(Vector512<float> x) => x;
}

/// <summary>k·x.</summary>
internal readonly struct ScaleOperator(float k) : IUnaryOperator
{
    private readonly float _k = k;

    public float Invoke(float x) => x * _k;
    public Vector256<float> Invoke(Vector256<float> x) => x * _k;
    public Vector512<float> Invoke(Vector512<float> x) => x * _k;
}

/// <summary>a·b.</summary>
internal readonly struct MultiplyOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a * b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b;
}

/// <summary>a / b.</summary>
internal readonly struct DivideOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a / b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a / b;
}

/// <summary>a + b.</summary>
internal readonly struct AddOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a + b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a + b;
}

/// <summary>a − b.</summary>
internal readonly struct SubtractOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a - b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a - b;
}

/// <summary>
/// max(a, b) with IEEE 754-2019 maximum semantics on every width (a NaN operand gives NaN, +0 is above −0), as
/// <see cref="MathF.Max(float, float)"/>; so the paths agree bit for bit.
/// </summary>
internal readonly struct MaxOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => MathF.Max(a, b);
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
}

/// <summary>α·x + β·y, rounded after each product and the sum (no FMA), so every path matches a plain loop.</summary>
internal readonly struct AxpbyOperator(float alpha, float beta) : IBinaryOperator
{
    private readonly float _alpha = alpha, _beta = beta;

    public float Invoke(float x, float y) => _alpha * x + _beta * y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => _alpha * x + _beta * y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => _alpha * x + _beta * y;
}

/// <summary>f(x, b) for a fixed second operand b: a binary op with its right side broadcast from one element.</summary>
internal readonly struct RightScalar<TOp>(TOp op, float b) : IUnaryOperator where TOp : struct, IBinaryOperator
{
    private readonly TOp _op = op;
    private readonly float _b = b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => _op.Invoke(x, _b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => _op.Invoke(x, Vector256.Create(_b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => _op.Invoke(x, Vector512.Create(_b));
}

/// <summary>f(a, x) for a fixed first operand a: a binary op with its left side broadcast from one element.</summary>
internal readonly struct LeftScalar<TOp>(TOp op, float a) : IUnaryOperator where TOp : struct, IBinaryOperator
{
    private readonly TOp _op = op;
    private readonly float _a = a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => _op.Invoke(_a, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => _op.Invoke(Vector256.Create(_a), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => _op.Invoke(Vector512.Create(_a), x);
}
