using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

internal static unsafe partial class Int8Gemm
{
    // y = (float)C·(s_a·s_w[j]) + b[j] (+ ReLU) on columns [j0, j1) of every row, in the reference's operation order
    // (no FMA), so every path gives the reference's floats.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Epilogue(Int8Path path, in Int8Problem p, int j0, int j1)
    {
        for (int i = 0; i < p.M; i++)
        {
            int* c = p.C + (long)i * p.CStride;
            float* y = p.Y + (long)i * p.N;
            int j = j0;
            if (path == Int8Path.Avx512)
            {
                Vector512<float> sa = Vector512.Create(p.ScaleA);
                for (; j + 16 <= j1; j += 16)
                {
                    Vector512<float> v = Vector512.ConvertToSingle(Vector512.Load(c + j)) * (sa * Vector512.Load(p.ScaleW + j));
                    if (p.Bias != null) v += Vector512.Load(p.Bias + j);
                    (p.Relu ? Vector512.Max(v, Vector512<float>.Zero) : v).Store(y + j);
                }
            }
            else if (path != Int8Path.Scalar)
            {
                Vector256<float> sa = Vector256.Create(p.ScaleA);
                for (; j + 8 <= j1; j += 8)
                {
                    Vector256<float> v = Vector256.ConvertToSingle(Vector256.Load(c + j)) * (sa * Vector256.Load(p.ScaleW + j));
                    if (p.Bias != null) v += Vector256.Load(p.Bias + j);
                    (p.Relu ? Vector256.Max(v, Vector256<float>.Zero) : v).Store(y + j);
                }
            }
            for (; j < j1; j++)
            {
                float v = c[j] * (p.ScaleA * p.ScaleW[j]);
                if (p.Bias != null) v += p.Bias[j];
                y[j] = p.Relu ? Math.Max(v, 0f) : v;
            }
        }
    }
}
