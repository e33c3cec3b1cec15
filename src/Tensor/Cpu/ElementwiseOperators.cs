using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

// The activations' operator structs for VectorLoop. The derivatives are f'(x)·dy (the driver adds them into dx);
// except GELU's, they perform the float operations of Elementwise.Reference.cs in the same order, so they match it
// bit for bit. Their 256- and 512-bit Invokes stay twins: VectorOperators.cs says why (GELU's was the case measured).

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
internal readonly struct LeakyReluOperator(float slope) : IUnaryOperator
{
    private readonly float _slope = slope;

    public float Invoke(float x) => x > 0f ? x : _slope * x;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, _slope * x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, _slope * x);
}

/// <summary>ReLU': dy where x &gt; 0, else 0.</summary>
internal readonly struct ReluGradient : IBinaryOperator
{
    public float Invoke(float x, float dy) => x > 0f ? dy : 0f;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) => Vector256.GreaterThan(x, Vector256<float>.Zero) & dy;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) => Vector512.GreaterThan(x, Vector512<float>.Zero) & dy;
}

/// <summary>LeakyReLU': dy where x &gt; 0, else slope·dy.</summary>
internal readonly struct LeakyReluGradient(float slope) : IBinaryOperator
{
    private readonly float _slope = slope;

    public float Invoke(float x, float dy) => x > 0f ? dy : _slope * dy;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, _slope * dy);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, _slope * dy);
}

/// <summary>tanh' from the output y = tanh x: dy·(1 − y²).</summary>
internal readonly struct TanhGradient : IBinaryOperator
{
    public float Invoke(float y, float dy) => dy * (1f - y * y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
}

/// <summary>σ' from the output y = σ(x): dy·y·(1 − y).</summary>
internal readonly struct SigmoidGradient : IBinaryOperator
{
    public float Invoke(float y, float dy) => dy * y * (1f - y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
}

/// <summary>
/// GELU' = Φ(x) + x·φ(x), times dy, in float. Φ comes from the erfc of Numerical Recipes (fractional error below
/// 1.2e-7, the same formula as <see cref="SpecialFunctions.Erf"/>): with z = |x|/√2 and t = 1/(1 + z/2),
/// erfc z = t·exp(−z² + P(t)), P a degree-9 polynomial; Φ(x) = erfc(z)/2 for x &lt; 0 and 1 − erfc(z)/2 otherwise.
/// −z² = −x²/2 is also φ's exponent, so E = e^(−x²/2) is computed once — from the product −x/2·x and its FMA
/// rounding error, so that E keeps full relative accuracy where x² is large — and erfc z = t·E·e^P(t).
/// </summary>
internal readonly struct GeluGradient : IBinaryOperator
{
    private const float InvSqrt2 = 0.707106781186547524f;
    private const float InvSqrt2Pi = 0.398942280401432678f;
    private const float P0 = -1.26551223f, P1 = 1.00002368f, P2 = 0.37409196f, P3 = 0.09678418f, P4 = -0.18628806f;
    private const float P5 = 0.27886807f, P6 = -1.13520398f, P7 = 1.48851587f, P8 = -0.82215223f, P9 = 0.17087277f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float dy)
    {
        float t = 1f / (1f + 0.5f * (MathF.Abs(x) * InvSqrt2));
        float p = MathF.FusedMultiplyAdd(P9, t, P8);
        p = MathF.FusedMultiplyAdd(p, t, P7);
        p = MathF.FusedMultiplyAdd(p, t, P6);
        p = MathF.FusedMultiplyAdd(p, t, P5);
        p = MathF.FusedMultiplyAdd(p, t, P4);
        p = MathF.FusedMultiplyAdd(p, t, P3);
        p = MathF.FusedMultiplyAdd(p, t, P2);
        p = MathF.FusedMultiplyAdd(p, t, P1);
        p = MathF.FusedMultiplyAdd(p, t, P0);
        float a = -0.5f * x, hi = a * x, lo = MathF.FusedMultiplyAdd(a, x, -hi);
        float eHi = default(ExpOperator).Invoke(hi);
        float e = MathF.FusedMultiplyAdd(eHi, lo, eHi);
        float halfErfc = 0.5f * (t * e * default(ExpOperator).Invoke(p));
        float cdf = x < 0f ? halfErfc : 1f - halfErfc;
        return dy * MathF.FusedMultiplyAdd(x, InvSqrt2Pi * e, cdf);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy)
    {
        Vector256<float> t = Vector256<float>.One / (Vector256<float>.One + 0.5f * (Vector256.Abs(x) * InvSqrt2));
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P9), t, Vector256.Create(P8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P0));
        Vector256<float> a = -0.5f * x, hi = a * x, lo = Vector256.FusedMultiplyAdd(a, x, -hi);
        Vector256<float> eHi = default(ExpOperator).Invoke(hi);
        Vector256<float> e = Vector256.FusedMultiplyAdd(eHi, lo, eHi);
        Vector256<float> halfErfc = 0.5f * (t * e * default(ExpOperator).Invoke(p));
        Vector256<float> cdf = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), halfErfc, Vector256<float>.One - halfErfc);
        return dy * Vector256.FusedMultiplyAdd(x, InvSqrt2Pi * e, cdf);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy)
    {
        Vector512<float> t = Vector512<float>.One / (Vector512<float>.One + 0.5f * (Vector512.Abs(x) * InvSqrt2));
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P9), t, Vector512.Create(P8));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P7));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P6));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P0));
        Vector512<float> a = -0.5f * x, hi = a * x, lo = Vector512.FusedMultiplyAdd(a, x, -hi);
        Vector512<float> eHi = default(ExpOperator).Invoke(hi);
        Vector512<float> e = Vector512.FusedMultiplyAdd(eHi, lo, eHi);
        Vector512<float> halfErfc = 0.5f * (t * e * default(ExpOperator).Invoke(p));
        Vector512<float> cdf = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), halfErfc, Vector512<float>.One - halfErfc);
        return dy * Vector512.FusedMultiplyAdd(x, InvSqrt2Pi * e, cdf);
    }
}

/// <summary>ReLU, max(x, 0), with IEEE maximum semantics on every width (NaN stays NaN, −0 gives +0).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Max(x, 0f);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>
/// σ(x) = 1 / (1 + e^−x) with TinyKd's 1-ulp exp (Exp.cs), which returns the same bits on every path: e^−x
/// overflows to +∞ below x ≈ −88 and σ is then exactly 0; above x ≈ 17, 1 + e^−x rounds to 1.
/// </summary>
internal readonly struct SigmoidOperator : IUnaryOperator
{
    public float Invoke(float x) => 1f / (1f + default(ExpOperator).Invoke(-x));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + default(ExpOperator).Invoke(-x));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + default(ExpOperator).Invoke(-x));
}
