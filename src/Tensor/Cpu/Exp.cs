using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// e^x over a span of floats, on the kernel path the CPU backend uses (<see cref="CpuKernels.Path"/>). Accurate to
/// 1 ulp over the whole float range, subnormal results included; e^x = 0 for x &lt; −104 (and −∞), +∞ for x &gt; 100
/// (and +∞), NaN for NaN. Every path returns the same bits.
/// </summary>
public static class Exp
{
    /// <summary>y[i] = e^x[i]; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void Run(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length)
            throw new ArgumentException($"The output has {y.Length} elements for {x.Length} inputs.", nameof(y));
        Run(CpuKernels.Path, x, y);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Run(KernelPath path, ReadOnlySpan<float> x, Span<float> y) => VectorLoop.Map(path, default(ExpOperator), x, y);
}

/// <summary>
/// e^x by range reduction and a polynomial, SLEEF's xexpf (Shibata &amp; Naoki, "SLEEF: A Portable Vectorized
/// Library of C Standard Mathematical Functions", 2020), whose maximum error is 1.0 ulp:
/// n = round(x/ln 2), r = x − n·ln 2 in two FMA steps (ln 2 split into a 15-bit head, so n·head is exact, and a
/// tail), |r| ≤ ln 2/2; e^r = 1 + r + r²·P(r) with P a degree-5 minimax polynomial; e^x = e^r·2^n.
/// </summary>
/// <remarks>
/// 2^n is applied as two powers 2^⌊n/2⌋·2^(n−⌊n/2⌋), each a normal float for n in [−150, 145], so results that
/// are subnormal are rounded once and results past float's range overflow to +∞ (for n = 128 and e^r &lt; 1 the
/// result is still finite). On AVX-512 vscalefps does the same scaling in one instruction with the same rounding.
/// Inputs outside [−104, 100] — where the reduction is no longer exact and the integer conversion may overflow —
/// are replaced by 0 or +∞ at the end; NaN fails both comparisons and stays NaN through the arithmetic.
/// The 256- and 512-bit Invokes are written out twice, as every operator's (VectorOperators.cs says why).
/// </remarks>
internal readonly struct ExpOperator : IUnaryOperator
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.428606765330187045e-06f;
    private const float C5 = 0.000198527617612853646278381f;
    private const float C4 = 0.00139304355252534151077271f;
    private const float C3 = 0.00833336077630519866943359f;
    private const float C2 = 0.0416664853692054748535156f;
    private const float C1 = 0.166666671633720397949219f;
    private const float C0 = 0.5f;
    private const float Underflow = -104f;
    private const float Overflow = 100f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x)
    {
        float n = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float u = MathF.FusedMultiplyAdd(C5, r, C4);
        u = MathF.FusedMultiplyAdd(u, r, C3);
        u = MathF.FusedMultiplyAdd(u, r, C2);
        u = MathF.FusedMultiplyAdd(u, r, C1);
        u = MathF.FusedMultiplyAdd(u, r, C0);
        u = 1f + MathF.FusedMultiplyAdd(r * r, u, r);
        int q = (int)n, h = q >> 1;
        u = u * BitConverter.Int32BitsToSingle((h + 127) << 23) * BitConverter.Int32BitsToSingle((q - h + 127) << 23);
        return x < Underflow ? 0f : x > Overflow ? float.PositiveInfinity : u;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> n = Vector256.Round(x * Log2E);
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> u = Vector256.FusedMultiplyAdd(Vector256.Create(C5), r, Vector256.Create(C4));
        u = Vector256.FusedMultiplyAdd(u, r, Vector256.Create(C3));
        u = Vector256.FusedMultiplyAdd(u, r, Vector256.Create(C2));
        u = Vector256.FusedMultiplyAdd(u, r, Vector256.Create(C1));
        u = Vector256.FusedMultiplyAdd(u, r, Vector256.Create(C0));
        u = Vector256<float>.One + Vector256.FusedMultiplyAdd(r * r, u, r);
        Vector256<int> q = Vector256.ConvertToInt32Native(n), h = q >> 1;
        u = u * ((h + Vector256.Create(127)) << 23).AsSingle() * ((q - h + Vector256.Create(127)) << 23).AsSingle();
        u = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Underflow)), Vector256<float>.Zero, u);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Overflow)), Vector256.Create(float.PositiveInfinity), u);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> n = Vector512.Round(x * Log2E);
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        Vector512<float> u = Vector512.FusedMultiplyAdd(Vector512.Create(C5), r, Vector512.Create(C4));
        u = Vector512.FusedMultiplyAdd(u, r, Vector512.Create(C3));
        u = Vector512.FusedMultiplyAdd(u, r, Vector512.Create(C2));
        u = Vector512.FusedMultiplyAdd(u, r, Vector512.Create(C1));
        u = Vector512.FusedMultiplyAdd(u, r, Vector512.Create(C0));
        u = Vector512<float>.One + Vector512.FusedMultiplyAdd(r * r, u, r);
        if (Avx512F.IsSupported)
        {
            u = Avx512F.Scale(u, n);
        }
        else
        {
            Vector512<int> q = Vector512.ConvertToInt32Native(n), h = q >> 1;
            u = u * ((h + Vector512.Create(127)) << 23).AsSingle() * ((q - h + Vector512.Create(127)) << 23).AsSingle();
        }
        u = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Underflow)), Vector512<float>.Zero, u);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Overflow)), Vector512.Create(float.PositiveInfinity), u);
    }
}
