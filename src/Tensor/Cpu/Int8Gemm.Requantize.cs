using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

internal static unsafe partial class Int8Gemm
{
    // The requantizing epilogue on columns [j0, j1) of every row: v = (float)C·(s_a·s_w[j]) + b[j] exactly as the float
    // epilogue computes y (no FMA), then the u8 code of v in the next layer's quantization, with the arithmetic of
    // Int8Activations.Quantize: q = cvtps2dq(clamp(v·(1/s_q), lo − z_q, 255 − z_q)) + z_q, rounding to nearest even,
    // lo = z_q under a fused ReLU (max(v, 0) in the code domain) and 0 otherwise. So the codes equal the float
    // epilogue's y (ReLU applied) quantized by the next layer, bit for bit, on every path.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Requantize(Int8Path path, in Int8Problem p, int j0, int j1)
    {
        float inverse = p.InverseScaleQ, zero = p.ZeroPointQ, low = p.Relu ? 0f : -zero, high = 255f - zero;
        for (int i = 0; i < p.M; i++)
        {
            int* c = p.C + (long)i * p.CStride;
            byte* q = p.Q + (long)i * p.QStride;
            int j = j0;
            if (path == Int8Path.Avx512)
            {
                Vector512<float> sa = Vector512.Create(p.ScaleA), inv = Vector512.Create(inverse);
                Vector512<float> lo = Vector512.Create(low), hi = Vector512.Create(high);
                Vector512<int> z = Vector512.Create(p.ZeroPointQ);
                for (; j + 16 <= j1; j += 16)
                {
                    Vector512<float> v = Vector512.ConvertToSingle(Vector512.Load(c + j)) * (sa * Vector512.Load(p.ScaleW + j));
                    if (p.Bias != null) v += Vector512.Load(p.Bias + j);
                    v = Avx512F.Min(Avx512F.Max(v * inv, lo), hi);
                    Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32(v) + z).Store(q + j);
                }
            }
            else if (path != Int8Path.Scalar)
            {
                Vector256<float> sa = Vector256.Create(p.ScaleA), inv = Vector256.Create(inverse);
                Vector256<float> lo = Vector256.Create(low), hi = Vector256.Create(high);
                Vector256<int> z = Vector256.Create(p.ZeroPointQ);
                for (; j + 8 <= j1; j += 8)
                {
                    Vector256<float> v = Vector256.ConvertToSingle(Vector256.Load(c + j)) * (sa * Vector256.Load(p.ScaleW + j));
                    if (p.Bias != null) v += Vector256.Load(p.Bias + j);
                    v = Avx.Min(Avx.Max(v * inv, lo), hi);
                    Vector256<uint> ints = (Avx.ConvertToVector256Int32(v) + z).AsUInt32();
                    Vector256<ushort> shorts = Vector256.Narrow(ints, ints);
                    *(ulong*)(q + j) = Vector256.Narrow(shorts, shorts).AsUInt64().ToScalar();
                }
            }
            for (; j < j1; j++)
            {
                float v = c[j] * (p.ScaleA * p.ScaleW[j]);
                if (p.Bias != null) v += p.Bias[j];
                q[j] = Int8GemmReference.Code(v, inverse, zero, p.Relu);
            }
        }
    }
}
