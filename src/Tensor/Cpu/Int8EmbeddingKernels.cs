using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The lookup of an <see cref="Int8EmbeddingTable"/>: y[k, d] = (float)q[ids[k], d]·scale[ids[k]]. The vector paths
/// sign-extend 16 (AVX-512: vpmovsxbd zmm) or 8 (AVX2: vpmovsxbd ymm) codes to int32, convert them exactly to float and
/// multiply by the broadcast row scale; the scalar tail and <see cref="Int8EmbeddingReference.Gather"/> do the same
/// conversion and one multiply, so every path equals the reference bit for bit. Lookups touch few rows (a batch of
/// users), so the loop stays single-threaded. Compiled fully optimised at once, as the int8 GEMM (Int8Gemm.cs says why).
/// </summary>
internal static unsafe class Int8EmbeddingKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(KernelPath path, sbyte* codes, float* scales, int width, int* ids, int count, float* y)
    {
        for (int k = 0; k < count; k++, y += width)
        {
            sbyte* q = codes + (long)ids[k] * width;
            float scale = scales[ids[k]];
            int d = 0;
            if (path == KernelPath.Avx512)
            {
                Vector512<float> s = Vector512.Create(scale);
                for (; d + 16 <= width; d += 16)
                    (Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector128.Load(q + d))) * s).Store(y + d);
            }
            if (path != KernelPath.Scalar)
            {
                Vector256<float> s = Vector256.Create(scale);
                for (; d + 8 <= width; d += 8)
                    (Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(q + d)) * s).Store(y + d);
            }
            for (; d < width; d++) y[d] = q[d] * scale;
        }
    }
}
