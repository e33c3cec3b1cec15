using System.Numerics.Tensors;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Cache-blocked SGEMM on managed memory: C = α·op(A)·op(B) + β·C, then bias and activation.
/// </summary>
/// <remarks>
/// Loop order (Goto's layering, simplified): for each KC-deep slice of K and each NC-wide slice of N, the
/// K×N block of op(B) is packed once into a contiguous row-major panel (transposing it if B is read transposed,
/// and folding α in); then every row i of C in that slice is updated with one axpy per k,
/// C[i, n-slice] += op(A)[i, k]·Bpanel[k, :], which streams the panel from L2 while the C row stays in L1.
/// op(A) is read in place when A is stored M×K; when A is read transposed its KC×MC block is packed first so the
/// inner loop reads it with unit stride. KC = 256 and NC = 1024 keep the panel at 1 MiB, half of the 2 MiB L2,
/// and a C row slice at 4 KiB of the 48 KiB L1. The hand-tuned register-tiled micro-kernels replace the inner
/// axpy loop behind this same entry point.
/// Packing buffers are per thread, so concurrent calls are safe and a steady state allocates nothing.
/// </remarks>
internal static class Gemm
{
    internal const int KC = 256;
    internal const int NC = 1024;
    internal const int MC = 64;

    [ThreadStatic] private static float[]? t_packB;
    [ThreadStatic] private static float[]? t_packA;

    /// <summary>op(A) is M×K, op(B) is K×N, C is M×N; all spans row-major and contiguous.</summary>
    internal static void Run(int m, int n, int k, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        Span<float> c, float alpha, float beta, ReadOnlySpan<float> bias, bool relu)
    {
        if (beta == 0f) c[..(m * n)].Clear();
        else if (beta != 1f) TensorPrimitives.Multiply(c[..(m * n)], beta, c[..(m * n)]);

        if (k > 0 && alpha != 0f && m > 0 && n > 0)
        {
            float[] packB = t_packB ??= new float[KC * NC];
            float[] packA = t_packA ??= new float[MC * KC];
            for (int k0 = 0; k0 < k; k0 += KC)
            {
                int kc = Math.Min(KC, k - k0);
                for (int n0 = 0; n0 < n; n0 += NC)
                {
                    int nc = Math.Min(NC, n - n0);
                    PackB(b, transposeB, n, k, k0, kc, n0, nc, alpha, packB);
                    for (int m0 = 0; m0 < m; m0 += MC)
                    {
                        int mc = Math.Min(MC, m - m0);
                        if (transposeA) PackTransposedA(a, m, m0, mc, k0, kc, packA);
                        for (int i = 0; i < mc; i++)
                        {
                            Span<float> cRow = c.Slice((m0 + i) * n + n0, nc);
                            ReadOnlySpan<float> aRow = transposeA
                                ? packA.AsSpan(i * kc, kc)
                                : a.Slice((m0 + i) * k + k0, kc);
                            for (int p = 0; p < kc; p++)
                            {
                                float aik = aRow[p];
                                if (aik == 0f) continue;
                                TensorPrimitives.MultiplyAdd(packB.AsSpan(p * nc, nc), aik, cRow, cRow);
                            }
                        }
                    }
                }
            }
        }

        if (!bias.IsEmpty || relu)
        {
            for (int i = 0; i < m; i++)
            {
                Span<float> cRow = c.Slice(i * n, n);
                if (!bias.IsEmpty) TensorPrimitives.Add(cRow, bias, cRow);
                if (relu) TensorPrimitives.Max(cRow, 0f, cRow);
            }
        }
    }

    // Bpanel[p, j] = α·op(B)[k0 + p, n0 + j]; B is stored K×N, or N×K when read transposed.
    private static void PackB(ReadOnlySpan<float> b, bool transposeB, int n, int k, int k0, int kc, int n0, int nc, float alpha, float[] panel)
    {
        if (!transposeB)
        {
            for (int p = 0; p < kc; p++)
                TensorPrimitives.Multiply(b.Slice((k0 + p) * n + n0, nc), alpha, panel.AsSpan(p * nc, nc));
            return;
        }
        for (int j = 0; j < nc; j++)
        {
            ReadOnlySpan<float> bRow = b.Slice((n0 + j) * k + k0, kc);
            for (int p = 0; p < kc; p++) panel[p * nc + j] = alpha * bRow[p];
        }
    }

    // Apanel[i, p] = A[k0 + p, m0 + i]: A is stored K×M and read transposed.
    private static void PackTransposedA(ReadOnlySpan<float> a, int m, int m0, int mc, int k0, int kc, float[] panel)
    {
        for (int p = 0; p < kc; p++)
        {
            ReadOnlySpan<float> aRow = a.Slice((k0 + p) * m + m0, mc);
            for (int i = 0; i < mc; i++) panel[i * kc + p] = aRow[i];
        }
    }
}
