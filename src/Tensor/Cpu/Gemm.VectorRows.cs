using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// x·Bᵀ for 2 to <see cref="GemmVector.MaxRows"/> rows of A (a Linear layer's forward on a tiny batch): each pair of
/// B rows is read once for all rows of A, where the one-row dot products read B once per row of A.
/// </summary>
/// <remarks>
/// With B in L2 (W 128×784) the per-row form re-streams B from L2 for every row of A; sharing each load of B across the
/// rows of A keeps the loads per multiply-add at 3 for 4 where the per-row form needs 5 for 4, and B's traffic is that
/// of one row. Every element is still summed by exactly the operations of the one-row kernels (two accumulators over
/// alternate chunks, the same tails, one horizontal sum), so a value does not depend on how many rows share the pass.
/// Register map (AVX-512, 4 rows of A): 4 rows × 2 B rows × 2 chunk accumulators = 16 zmm, plus 4 B vectors and 2 of x;
/// the AVX2 kernel takes the rows of A two at a time (8 accumulators of 16 ymm).
/// </remarks>
internal static unsafe partial class GemmVector
{
    private static void DotBlock(in Problem p, int j0, int j1, TileUpdate* update)
    {
        if (p.Path == KernelPath.Avx512)
        {
            switch (p.M)
            {
                case 2: DotBlock512<Rows2>(in p, j0, j1, update); break;
                case 3: DotBlock512<Rows3>(in p, j0, j1, update); break;
                default: DotBlock512<Rows4>(in p, j0, j1, update); break;
            }
            return;
        }
        // AVX2: pairs of rows of A, then a last odd row alone.
        Problem rows = p;
        for (int i = 0; i < p.M; i += 2, rows.A += 2 * p.K, rows.C += 2 * p.N)
        {
            rows.M = Math.Min(2, p.M - i);
            if (rows.M == 2) DotBlock256(in rows, j0, j1, update);
            else DotRows256(in rows, j0, j1, update);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DotBlock512<TRows>(in Problem p, int j0, int j1, TileUpdate* update) where TRows : struct, IConstant
    {
        float* sums = stackalloc float[8];
        int k = p.K, j = j0;
        Problem row = p;
        for (; j + 2 <= j1; j += 2)
        {
            Dot2x512<TRows>(p.A, p.B + (nint)j * k, k, sums);
            row.C = p.C;
            for (int i = 0; i < TRows.Count; i++, row.C += p.N) Finish(in row, sums + 2 * i, j, 2, update);
        }
        if (j < j1) OneColumn(in p, j, TRows.Count, update);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DotBlock256(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* sums = stackalloc float[4];
        int k = p.K, j = j0;
        Problem row = p;
        for (; j + 2 <= j1; j += 2)
        {
            Dot2x256(p.A, p.B + (nint)j * k, k, sums);
            row.C = p.C;
            Finish(in row, sums, j, 2, update);
            row.C += p.N;
            Finish(in row, sums + 2, j, 2, update);
        }
        if (j < j1) OneColumn(in p, j, 2, update);
    }

    // Column j of the first `rows` rows of C, one dot product each (an odd last column).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneColumn(in Problem p, int j, int rows, TileUpdate* update)
    {
        float* sums = stackalloc float[1];
        Problem row = p;
        for (int i = 0; i < rows; i++, row.A += p.K, row.C += p.N)
        {
            sums[0] = p.Path == KernelPath.Avx512 ? Dot512(row.A, p.B + (nint)j * p.K, p.K) : Dot256(row.A, p.B + (nint)j * p.K, p.K);
            Finish(in row, sums, j, 1, update);
        }
    }

    // Rows 0..TRows of x (stride k) against B rows 0 and 1: sums[2i + r] = Dot512(x_i, b_r), operation for operation.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Dot2x512<TRows>(float* x, float* b, nint k, float* sums) where TRows : struct, IConstant
    {
        Vector512<float> p00 = default, p01 = default, q00 = default, q01 = default, p10 = default, p11 = default, q10 = default, q11 = default;
        Vector512<float> p20 = default, p21 = default, q20 = default, q21 = default, p30 = default, p31 = default, q30 = default, q31 = default;
        float* x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k, c = b + k;
        nint q = 0;
        for (; q + 32 <= k; q += 32)
        {
            Vector512<float> b0 = Vector512.Load(b + q), b1 = Vector512.Load(b + q + 16);
            Vector512<float> c0 = Vector512.Load(c + q), c1 = Vector512.Load(c + q + 16);
            Vector512<float> u0 = Vector512.Load(x + q), u1 = Vector512.Load(x + q + 16);
            p00 = Avx512F.FusedMultiplyAdd(u0, b0, p00); p01 = Avx512F.FusedMultiplyAdd(u1, b1, p01);
            q00 = Avx512F.FusedMultiplyAdd(u0, c0, q00); q01 = Avx512F.FusedMultiplyAdd(u1, c1, q01);
            u0 = Vector512.Load(x1 + q); u1 = Vector512.Load(x1 + q + 16);
            p10 = Avx512F.FusedMultiplyAdd(u0, b0, p10); p11 = Avx512F.FusedMultiplyAdd(u1, b1, p11);
            q10 = Avx512F.FusedMultiplyAdd(u0, c0, q10); q11 = Avx512F.FusedMultiplyAdd(u1, c1, q11);
            if (TRows.Count > 2)
            {
                u0 = Vector512.Load(x2 + q); u1 = Vector512.Load(x2 + q + 16);
                p20 = Avx512F.FusedMultiplyAdd(u0, b0, p20); p21 = Avx512F.FusedMultiplyAdd(u1, b1, p21);
                q20 = Avx512F.FusedMultiplyAdd(u0, c0, q20); q21 = Avx512F.FusedMultiplyAdd(u1, c1, q21);
            }
            if (TRows.Count > 3)
            {
                u0 = Vector512.Load(x3 + q); u1 = Vector512.Load(x3 + q + 16);
                p30 = Avx512F.FusedMultiplyAdd(u0, b0, p30); p31 = Avx512F.FusedMultiplyAdd(u1, b1, p31);
                q30 = Avx512F.FusedMultiplyAdd(u0, c0, q30); q31 = Avx512F.FusedMultiplyAdd(u1, c1, q31);
            }
        }
        // The tails of Dot512 for every pair: a 16-wide chunk into the first accumulator, a masked rest into the second.
        if (q + 16 <= k)
        {
            Vector512<float> b0 = Vector512.Load(b + q), c0 = Vector512.Load(c + q);
            Vector512<float> u0 = Vector512.Load(x + q);
            p00 = Avx512F.FusedMultiplyAdd(u0, b0, p00); q00 = Avx512F.FusedMultiplyAdd(u0, c0, q00);
            u0 = Vector512.Load(x1 + q);
            p10 = Avx512F.FusedMultiplyAdd(u0, b0, p10); q10 = Avx512F.FusedMultiplyAdd(u0, c0, q10);
            if (TRows.Count > 2)
            {
                u0 = Vector512.Load(x2 + q);
                p20 = Avx512F.FusedMultiplyAdd(u0, b0, p20); q20 = Avx512F.FusedMultiplyAdd(u0, c0, q20);
            }
            if (TRows.Count > 3)
            {
                u0 = Vector512.Load(x3 + q);
                p30 = Avx512F.FusedMultiplyAdd(u0, b0, p30); q30 = Avx512F.FusedMultiplyAdd(u0, c0, q30);
            }
            q += 16;
        }
        if (q < k)
        {
            Vector512<float> mask = TailMask(k - q), zero = Vector512<float>.Zero;
            Vector512<float> b1 = Avx512F.MaskLoad(b + q, mask, zero), c1 = Avx512F.MaskLoad(c + q, mask, zero);
            Vector512<float> u1 = Avx512F.MaskLoad(x + q, mask, zero);
            p01 = Avx512F.FusedMultiplyAdd(u1, b1, p01); q01 = Avx512F.FusedMultiplyAdd(u1, c1, q01);
            u1 = Avx512F.MaskLoad(x1 + q, mask, zero);
            p11 = Avx512F.FusedMultiplyAdd(u1, b1, p11); q11 = Avx512F.FusedMultiplyAdd(u1, c1, q11);
            if (TRows.Count > 2)
            {
                u1 = Avx512F.MaskLoad(x2 + q, mask, zero);
                p21 = Avx512F.FusedMultiplyAdd(u1, b1, p21); q21 = Avx512F.FusedMultiplyAdd(u1, c1, q21);
            }
            if (TRows.Count > 3)
            {
                u1 = Avx512F.MaskLoad(x3 + q, mask, zero);
                p31 = Avx512F.FusedMultiplyAdd(u1, b1, p31); q31 = Avx512F.FusedMultiplyAdd(u1, c1, q31);
            }
        }
        sums[0] = Vector512.Sum(p00 + p01); sums[1] = Vector512.Sum(q00 + q01);
        sums[2] = Vector512.Sum(p10 + p11); sums[3] = Vector512.Sum(q10 + q11);
        if (TRows.Count > 2) { sums[4] = Vector512.Sum(p20 + p21); sums[5] = Vector512.Sum(q20 + q21); }
        if (TRows.Count > 3) { sums[6] = Vector512.Sum(p30 + p31); sums[7] = Vector512.Sum(q30 + q31); }
    }

    // The AVX2 twin for two rows of A (four would need 22 of the 16 ymm registers): sums[2i + r] = Dot256(x_i, b_r),
    // operation for operation (8-wide chunks, then a scalar FMA chain).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Dot2x256(float* x, float* b, nint k, float* sums)
    {
        Vector256<float> p00 = default, p01 = default, q00 = default, q01 = default, p10 = default, p11 = default, q10 = default, q11 = default;
        float* x1 = x + k, c = b + k;
        nint q = 0;
        for (; q + 16 <= k; q += 16)
        {
            Vector256<float> b0 = Vector256.Load(b + q), b1 = Vector256.Load(b + q + 8);
            Vector256<float> c0 = Vector256.Load(c + q), c1 = Vector256.Load(c + q + 8);
            Vector256<float> u0 = Vector256.Load(x + q), u1 = Vector256.Load(x + q + 8);
            p00 = Fma.MultiplyAdd(u0, b0, p00); p01 = Fma.MultiplyAdd(u1, b1, p01);
            q00 = Fma.MultiplyAdd(u0, c0, q00); q01 = Fma.MultiplyAdd(u1, c1, q01);
            u0 = Vector256.Load(x1 + q); u1 = Vector256.Load(x1 + q + 8);
            p10 = Fma.MultiplyAdd(u0, b0, p10); p11 = Fma.MultiplyAdd(u1, b1, p11);
            q10 = Fma.MultiplyAdd(u0, c0, q10); q11 = Fma.MultiplyAdd(u1, c1, q11);
        }
        if (q + 8 <= k)
        {
            Vector256<float> b0 = Vector256.Load(b + q), c0 = Vector256.Load(c + q);
            Vector256<float> u0 = Vector256.Load(x + q);
            p00 = Fma.MultiplyAdd(u0, b0, p00); q00 = Fma.MultiplyAdd(u0, c0, q00);
            u0 = Vector256.Load(x1 + q);
            p10 = Fma.MultiplyAdd(u0, b0, p10); q10 = Fma.MultiplyAdd(u0, c0, q10);
            q += 8;
        }
        float s0 = Vector256.Sum(p00 + p01), s1 = Vector256.Sum(q00 + q01), s2 = Vector256.Sum(p10 + p11), s3 = Vector256.Sum(q10 + q11);
        for (; q < k; q++)
        {
            s0 = MathF.FusedMultiplyAdd(x[q], b[q], s0);
            s1 = MathF.FusedMultiplyAdd(x[q], c[q], s1);
            s2 = MathF.FusedMultiplyAdd(x1[q], b[q], s2);
            s3 = MathF.FusedMultiplyAdd(x1[q], c[q], s3);
        }
        sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3;
    }
}
