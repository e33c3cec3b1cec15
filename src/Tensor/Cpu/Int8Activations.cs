using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// u8 activation quantization, q = clamp(round(x·(1/scale)) + z, 0, 255), and its inverse x = (q − z)·scale, with
/// the plain loops beside the vector ones. Every path does the same float operations in the same order (one multiply,
/// round-to-nearest-even, one add, clamp; or one exact int→float conversion and one multiply), so every path equals
/// the reference bit for bit.
/// </summary>
internal static unsafe class Int8Activations
{
    public static void Quantize(KernelPath path, float* x, byte* q, int n, ActivationQuantization p)
    {
        float inverse = 1f / p.Scale, zero = p.ZeroPoint;
        int i = 0;
        if (path == KernelPath.Avx512)
        {
            Vector512<float> inv = Vector512.Create(inverse), z = Vector512.Create(zero), hi = Vector512.Create(255f);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> v = Vector512.Min(Vector512.Max(Vector512.Round(Vector512.Load(x + i) * inv) + z, Vector512<float>.Zero), hi);
                Avx512F.ConvertToVector128Byte(Vector512.ConvertToInt32(v)).Store(q + i);
            }
        }
        else if (path == KernelPath.Avx2)
        {
            Vector256<float> inv = Vector256.Create(inverse), z = Vector256.Create(zero), hi = Vector256.Create(255f);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> v = Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(x + i) * inv) + z, Vector256<float>.Zero), hi);
                Vector256<uint> ints = Vector256.ConvertToInt32(v).AsUInt32();
                Vector256<ushort> shorts = Vector256.Narrow(ints, ints);
                *(ulong*)(q + i) = Vector256.Narrow(shorts, shorts).AsUInt64().ToScalar();
            }
        }
        QuantizeReference(x + i, q + i, n - i, inverse, zero);
    }

    /// <summary>The plain loop every path equals.</summary>
    public static void QuantizeReference(float* x, byte* q, int n, float inverse, float zero)
    {
        for (int i = 0; i < n; i++) q[i] = (byte)Math.Clamp(MathF.Round(x[i] * inverse) + zero, 0f, 255f);
    }

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
}
