using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// u8 activation quantization, q = clamp(round(x·(1/scale)) + z, 0, 255), and its inverse x = (q − z)·scale, with
/// the plain loops beside the vector ones. The vector quantizers clamp before they round, q = cvtps2dq(clamp(x·(1/scale),
/// −z, 255 − z)) + z: rounding (to nearest even, as cvtps2dq and MathF.Round both do) is monotone and fixes the integer
/// bounds, so clamping first gives the same code, and saves the separate round and float add. Dequantization is one
/// exact int→float conversion and one multiply on every path. Every path equals the plain loops bit for bit.
/// </summary>
internal static unsafe class Int8Activations
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(KernelPath path, float* x, byte* q, int n, ActivationQuantization p)
    {
        float inverse = 1f / p.Scale, zero = p.ZeroPoint;
        int i = 0;
        if (path == KernelPath.Avx512)
        {
            Vector512<float> inv = Vector512.Create(inverse), lo = Vector512.Create(-zero), hi = Vector512.Create(255f - zero);
            Vector512<int> z = Vector512.Create((int)zero);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> v = Avx512F.Min(Avx512F.Max(Vector512.Load(x + i) * inv, lo), hi);
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32(v) + z).Store(q + i);
            }
        }
        else if (path == KernelPath.Avx2)
        {
            Vector256<float> inv = Vector256.Create(inverse), lo = Vector256.Create(-zero), hi = Vector256.Create(255f - zero);
            Vector256<int> z = Vector256.Create((int)zero);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> v = Avx.Min(Avx.Max(Vector256.Load(x + i) * inv, lo), hi);
                Vector256<uint> ints = (Avx.ConvertToVector256Int32(v) + z).AsUInt32();
                Vector256<ushort> shorts = Vector256.Narrow(ints, ints);
                *(ulong*)(q + i) = Vector256.Narrow(shorts, shorts).AsUInt64().ToScalar();
            }
        }
        QuantizeReference(x + i, q + i, n - i, inverse, zero);
    }

    /// <summary>The plain loop every path equals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeReference(float* x, byte* q, int n, float inverse, float zero)
    {
        for (int i = 0; i < n; i++) q[i] = (byte)Math.Clamp(MathF.Round(x[i] * inverse) + zero, 0f, 255f);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dequantize(KernelPath path, byte* q, float* x, int n, ActivationQuantization p)
    {
        int i = 0;
        if (path == KernelPath.Avx512)
        {
            Vector512<int> z = Vector512.Create((int)p.ZeroPoint);
            Vector512<float> scale = Vector512.Create(p.Scale);
            for (; i + 16 <= n; i += 16)
                (Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector128.Load(q + i)) - z) * scale).Store(x + i);
        }
        else if (path == KernelPath.Avx2)
        {
            Vector256<int> z = Vector256.Create((int)p.ZeroPoint);
            Vector256<float> scale = Vector256.Create(p.Scale);
            for (; i + 8 <= n; i += 8)
                (Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(q + i) - z) * scale).Store(x + i);
        }
        DequantizeReference(q + i, x + i, n - i, p.ZeroPoint, p.Scale);
    }

    /// <summary>The plain loop every path equals.</summary>
    public static void DequantizeReference(byte* q, float* x, int n, int zero, float scale)
    {
        for (int i = 0; i < n; i++) x[i] = (q[i] - zero) * scale;
    }

    /// <summary>
    /// The minimum and maximum of x[0 … n) in one pass (TensorPrimitives' Min and Max make two, each with NaN checks
    /// per element); false when a value is NaN or infinite. For n = 0: +∞, −∞ and true.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Range(KernelPath path, float* x, int n, out float min, out float max)
    {
        min = float.PositiveInfinity;
        max = float.NegativeInfinity;
        bool finite = true;
        int i = 0;
        if (path == KernelPath.Avx512)
        {
            Vector512<float> lo = Vector512.Create(min), hi = Vector512.Create(max), ok = Vector512<float>.AllBitsSet;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> v = Vector512.Load(x + i);
                lo = Avx512F.Min(lo, v);
                hi = Avx512F.Max(hi, v);
                ok &= Vector512.Equals(v - v, Vector512<float>.Zero);
            }
            finite = ok.AsInt32() == Vector512<int>.AllBitsSet;
            for (int lane = 0; lane < 16; lane++) (min, max) = (Math.Min(min, lo[lane]), Math.Max(max, hi[lane]));
        }
        else if (path == KernelPath.Avx2)
        {
            Vector256<float> lo = Vector256.Create(min), hi = Vector256.Create(max), ok = Vector256<float>.AllBitsSet;
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> v = Vector256.Load(x + i);
                lo = Avx.Min(lo, v);
                hi = Avx.Max(hi, v);
                ok &= Vector256.Equals(v - v, Vector256<float>.Zero);
            }
            finite = ok.AsInt32() == Vector256<int>.AllBitsSet;
            for (int lane = 0; lane < 8; lane++) (min, max) = (Math.Min(min, lo[lane]), Math.Max(max, hi[lane]));
        }
        return RangeReference(x + i, n - i, ref min, ref max) && finite;
    }

    /// <summary>The plain loop: folds x[0 … n) into <paramref name="min"/> and <paramref name="max"/>; false on a NaN or infinity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool RangeReference(float* x, int n, ref float min, ref float max)
    {
        bool finite = true;
        for (int i = 0; i < n; i++)
        {
            finite &= float.IsFinite(x[i]);
            min = Math.Min(min, x[i]);
            max = Math.Max(max, x[i]);
        }
        return finite;
    }
}
