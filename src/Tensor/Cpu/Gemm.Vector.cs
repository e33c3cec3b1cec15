using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Very short A — M = 1 (batch-1 inference), and M ≤ <see cref="MaxRows"/> for x·Wᵀ (A stored M×K, B stored N×K and
/// read transposed: a Linear layer's forward on a small batch): every row of C is y = α·x·op(B) + β·y + bias,
/// ReLU, read straight from B without packing.
/// </summary>
/// <remarks>
/// Each element of B is used M times, so the product is bound by reading B (K·N floats per row), not by the FMA
/// units, and packing B (a transposing pass over it before the kernel's) costs more than it saves: measured on x·Wᵀ
/// with W 1200×1200, one row takes 72 µs here and the packed path 338 µs for 2 rows and 341 µs for 4, so up to 4
/// rows are cheaper as GEMVs. (B stored K×N needs no packing on the blocked path for short A, which then wins from
/// 3 rows on.) x is a contiguous K-vector: a row of A stored M×K, or all of A when M = 1.
/// B stored K×N (x·B): the output columns lie in vector lanes; a block of 8 vectors of y stays in registers while
/// the K rows of that column block stream past (y_j = Σ_k x_k·B[k, j], one FMA chain per lane, in k order).
/// B stored N×K and read transposed (x·Bᵀ, a Linear layer's forward): every y_j is a dot product of x with the
/// contiguous row j of B; four rows share each load of x, and every row is summed by the same fixed scheme (two
/// vector accumulators over alternate chunks, a masked or scalar tail, one horizontal sum), so a value does not
/// depend on which rows it was grouped with, nor on the thread split.
/// The AVX-512 and AVX2 versions stay separate: beyond the blocks they share, their remainders differ on purpose
/// (masked loads on AVX-512; an 8-wide step then a scalar FMA chain on AVX2, which fixes the AVX2 sums' bits), so
/// only the unrolled blocks are common to both.
/// </remarks>
internal static unsafe partial class GemmVector
{
    /// <summary>The most rows of C that go through this path rather than the packed one.</summary>
    public const int MaxRows = 4;

    /// <summary>Below this many multiply-adds the product runs on one thread.</summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>Columns per task share (a multiple of every block width used below).</summary>
    private const int ShareGrain = 64;

    [ThreadStatic] private static GemvJob? t_job;

    public static void Run(in Problem p, int threads)
    {
        int tasks = (long)p.M * p.N * p.K < ParallelThreshold ? 1 : Math.Min(threads, (p.N + ShareGrain - 1) / ShareGrain);
        if (tasks <= 1)
        {
            Columns(in p, 0, p.N);
            return;
        }
        GemvJob job = t_job ??= new GemvJob();
        job.Problem = p;
        job.Tasks = tasks;
        WorkerPool.Run(job, tasks);
        job.Problem = default;
    }

    private sealed class GemvJob : ParallelJob
    {
        public Problem Problem;
        public int Tasks;

        public override void Execute(int task)
        {
            int grains = (Problem.N + ShareGrain - 1) / ShareGrain;
            int start = (int)((long)grains * task / Tasks) * ShareGrain, end = (int)((long)grains * (task + 1) / Tasks) * ShareGrain;
            Columns(in Problem, Math.Min(start, Problem.N), Math.Min(end, Problem.N));
        }
    }

    // Columns [j0, j1) of every row of C: one pass over that slice of B per row of A (for x·Bᵀ on a vector path, one
    // pass for all rows: Gemm.VectorRows.cs).
    private static void Columns(in Problem p, int j0, int j1)
    {
        if (j0 >= j1) return;
        var update = new TileUpdate { Beta = p.Beta, Relu = p.Relu };
        update.Mode = p.Beta == 0f ? TileMode.Overwrite : p.Beta == 1f ? TileMode.Accumulate : TileMode.Scale;
        if (p.TransposeB && p.M > 1 && p.Path != KernelPath.Scalar)
        {
            DotBlock(in p, j0, j1, &update);
            return;
        }
        Problem row = p;
        for (int i = 0; i < p.M; i++, row.A += p.K, row.C += p.N)
        {
            if (p.TransposeB)
            {
                if (p.Path == KernelPath.Avx512) DotRows512(in row, j0, j1, &update);
                else if (p.Path == KernelPath.Avx2) DotRows256(in row, j0, j1, &update);
                else DotRowsScalar(in row, j0, j1, &update);
            }
            else
            {
                if (p.Path == KernelPath.Avx512) Axpy512(in row, j0, j1, &update);
                else if (p.Path == KernelPath.Avx2) Axpy256(in row, j0, j1, &update);
                else AxpyScalar(in row, j0, j1, &update);
            }
        }
    }

    // α·sums[0..count) into y[j .. j + count) through the shared scalar update.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(in Problem p, float* sums, int j, int count, TileUpdate* update)
    {
        for (int t = 0; t < count; t++) sums[t] *= p.Alpha;
        update->Bias = p.Bias == null ? null : p.Bias + j;
        GemmTile.Merge(sums, 0, p.C + j, 0, 1, count, update);
    }

    // ---- y = x·B, B stored K×N -----------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Axpy512(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* x = p.A, sums = stackalloc float[128];
        nint n = p.N;
        int k = p.K, j = j0;
        for (; j + 128 <= j1; j += 128)
        {
            Vector512<float> y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default, y6 = default, y7 = default;
            float* b = p.B + j;
            for (int q = 0; q < k; q++, b += n)
            {
                Vector512<float> xq = Vector512.Create(x[q]);
                y0 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b), y0);
                y1 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 16), y1);
                y2 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 32), y2);
                y3 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 48), y3);
                y4 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 64), y4);
                y5 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 80), y5);
                y6 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 96), y6);
                y7 = Avx512F.FusedMultiplyAdd(xq, Vector512.Load(b + 112), y7);
            }
            y0.Store(sums); y1.Store(sums + 16); y2.Store(sums + 32); y3.Store(sums + 48);
            y4.Store(sums + 64); y5.Store(sums + 80); y6.Store(sums + 96); y7.Store(sums + 112);
            Finish(in p, sums, j, 128, update);
        }
        Vector512<float> lanes = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (; j < j1; j += 16)
        {
            int count = Math.Min(16, j1 - j);
            Vector512<float> mask = Vector512.LessThan(lanes, Vector512.Create((float)count));
            Vector512<float> y0 = default;
            float* b = p.B + j;
            for (int q = 0; q < k; q++, b += n)
                y0 = Avx512F.FusedMultiplyAdd(Vector512.Create(x[q]), Avx512F.MaskLoad(b, mask, Vector512<float>.Zero), y0);
            y0.Store(sums);
            Finish(in p, sums, j, count, update);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Axpy256(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* x = p.A, sums = stackalloc float[64];
        nint n = p.N;
        int k = p.K, j = j0;
        for (; j + 64 <= j1; j += 64)
        {
            Vector256<float> y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default, y6 = default, y7 = default;
            float* b = p.B + j;
            for (int q = 0; q < k; q++, b += n)
            {
                Vector256<float> xq = Vector256.Create(x[q]);
                y0 = Fma.MultiplyAdd(xq, Vector256.Load(b), y0);
                y1 = Fma.MultiplyAdd(xq, Vector256.Load(b + 8), y1);
                y2 = Fma.MultiplyAdd(xq, Vector256.Load(b + 16), y2);
                y3 = Fma.MultiplyAdd(xq, Vector256.Load(b + 24), y3);
                y4 = Fma.MultiplyAdd(xq, Vector256.Load(b + 32), y4);
                y5 = Fma.MultiplyAdd(xq, Vector256.Load(b + 40), y5);
                y6 = Fma.MultiplyAdd(xq, Vector256.Load(b + 48), y6);
                y7 = Fma.MultiplyAdd(xq, Vector256.Load(b + 56), y7);
            }
            y0.Store(sums); y1.Store(sums + 8); y2.Store(sums + 16); y3.Store(sums + 24);
            y4.Store(sums + 32); y5.Store(sums + 40); y6.Store(sums + 48); y7.Store(sums + 56);
            Finish(in p, sums, j, 64, update);
        }
        for (; j + 8 <= j1; j += 8)
        {
            Vector256<float> y0 = default;
            float* b = p.B + j;
            for (int q = 0; q < k; q++, b += n) y0 = Fma.MultiplyAdd(Vector256.Create(x[q]), Vector256.Load(b), y0);
            y0.Store(sums);
            Finish(in p, sums, j, 8, update);
        }
        // Fewer than 8 columns left: the same fused chain per column, one lane at a time.
        for (; j < j1; j++)
        {
            float s = 0f;
            float* b = p.B + j;
            for (int q = 0; q < k; q++, b += n) s = MathF.FusedMultiplyAdd(x[q], *b, s);
            sums[0] = s;
            Finish(in p, sums, j, 1, update);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AxpyScalar(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* x = p.A, sums = stackalloc float[4];
        nint n = p.N;
        int k = p.K;
        for (int j = j0; j < j1; j += 4)
        {
            int count = Math.Min(4, j1 - j);
            float y0 = 0, y1 = 0, y2 = 0, y3 = 0;
            float* b = p.B + j;
            for (int q = 0; q < k; q++, b += n)
            {
                float xq = x[q];
                y0 += xq * b[0];
                if (count > 1) y1 += xq * b[1];
                if (count > 2) y2 += xq * b[2];
                if (count > 3) y3 += xq * b[3];
            }
            sums[0] = y0; sums[1] = y1; sums[2] = y2; sums[3] = y3;
            Finish(in p, sums, j, count, update);
        }
    }

    // ---- y = x·Bᵀ, B stored N×K ----------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DotRows512(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* x = p.A, sums = stackalloc float[4];
        int k = p.K, j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            Dot4x512(x, p.B + (nint)j * k, k, sums);
            Finish(in p, sums, j, 4, update);
        }
        for (; j < j1; j++)
        {
            sums[0] = Dot512(x, p.B + (nint)j * k, k);
            Finish(in p, sums, j, 1, update);
        }
    }

    // Four rows at once; per row exactly the operations of Dot512.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x512(float* x, float* b, nint k, float* sums)
    {
        Vector512<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
        float* r1 = b + k, r2 = b + 2 * k, r3 = b + 3 * k;
        nint q = 0;
        for (; q + 32 <= k; q += 32)
        {
            Vector512<float> x0 = Vector512.Load(x + q), x1 = Vector512.Load(x + q + 16);
            a0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(b + q), a0);
            a1 = Avx512F.FusedMultiplyAdd(x1, Vector512.Load(b + q + 16), a1);
            b0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(r1 + q), b0);
            b1 = Avx512F.FusedMultiplyAdd(x1, Vector512.Load(r1 + q + 16), b1);
            c0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(r2 + q), c0);
            c1 = Avx512F.FusedMultiplyAdd(x1, Vector512.Load(r2 + q + 16), c1);
            d0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(r3 + q), d0);
            d1 = Avx512F.FusedMultiplyAdd(x1, Vector512.Load(r3 + q + 16), d1);
        }
        if (q + 16 <= k)
        {
            Vector512<float> x0 = Vector512.Load(x + q);
            a0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(b + q), a0);
            b0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(r1 + q), b0);
            c0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(r2 + q), c0);
            d0 = Avx512F.FusedMultiplyAdd(x0, Vector512.Load(r3 + q), d0);
            q += 16;
        }
        if (q < k)
        {
            Vector512<float> mask = TailMask(k - q), x1 = Avx512F.MaskLoad(x + q, mask, Vector512<float>.Zero);
            a1 = Avx512F.FusedMultiplyAdd(x1, Avx512F.MaskLoad(b + q, mask, Vector512<float>.Zero), a1);
            b1 = Avx512F.FusedMultiplyAdd(x1, Avx512F.MaskLoad(r1 + q, mask, Vector512<float>.Zero), b1);
            c1 = Avx512F.FusedMultiplyAdd(x1, Avx512F.MaskLoad(r2 + q, mask, Vector512<float>.Zero), c1);
            d1 = Avx512F.FusedMultiplyAdd(x1, Avx512F.MaskLoad(r3 + q, mask, Vector512<float>.Zero), d1);
        }
        sums[0] = Vector512.Sum(a0 + a1);
        sums[1] = Vector512.Sum(b0 + b1);
        sums[2] = Vector512.Sum(c0 + c1);
        sums[3] = Vector512.Sum(d0 + d1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot512(float* x, float* b, nint k)
    {
        Vector512<float> a0 = default, a1 = default;
        nint q = 0;
        for (; q + 32 <= k; q += 32)
        {
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + q), Vector512.Load(b + q), a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + q + 16), Vector512.Load(b + q + 16), a1);
        }
        if (q + 16 <= k)
        {
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + q), Vector512.Load(b + q), a0);
            q += 16;
        }
        if (q < k)
        {
            Vector512<float> mask = TailMask(k - q);
            a1 = Avx512F.FusedMultiplyAdd(Avx512F.MaskLoad(x + q, mask, Vector512<float>.Zero),
                Avx512F.MaskLoad(b + q, mask, Vector512<float>.Zero), a1);
        }
        return Vector512.Sum(a0 + a1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TailMask(nint count) =>
        Vector512.LessThan(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((float)count));

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DotRows256(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* x = p.A, sums = stackalloc float[4];
        int k = p.K, j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            Dot4x256(x, p.B + (nint)j * k, k, sums);
            Finish(in p, sums, j, 4, update);
        }
        for (; j < j1; j++)
        {
            sums[0] = Dot256(x, p.B + (nint)j * k, k);
            Finish(in p, sums, j, 1, update);
        }
    }

    // Four rows at once; per row exactly the operations of Dot256.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x256(float* x, float* b, nint k, float* sums)
    {
        Vector256<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
        float* r1 = b + k, r2 = b + 2 * k, r3 = b + 3 * k;
        nint q = 0;
        for (; q + 16 <= k; q += 16)
        {
            Vector256<float> x0 = Vector256.Load(x + q), x1 = Vector256.Load(x + q + 8);
            a0 = Fma.MultiplyAdd(x0, Vector256.Load(b + q), a0);
            a1 = Fma.MultiplyAdd(x1, Vector256.Load(b + q + 8), a1);
            b0 = Fma.MultiplyAdd(x0, Vector256.Load(r1 + q), b0);
            b1 = Fma.MultiplyAdd(x1, Vector256.Load(r1 + q + 8), b1);
            c0 = Fma.MultiplyAdd(x0, Vector256.Load(r2 + q), c0);
            c1 = Fma.MultiplyAdd(x1, Vector256.Load(r2 + q + 8), c1);
            d0 = Fma.MultiplyAdd(x0, Vector256.Load(r3 + q), d0);
            d1 = Fma.MultiplyAdd(x1, Vector256.Load(r3 + q + 8), d1);
        }
        if (q + 8 <= k)
        {
            Vector256<float> x0 = Vector256.Load(x + q);
            a0 = Fma.MultiplyAdd(x0, Vector256.Load(b + q), a0);
            b0 = Fma.MultiplyAdd(x0, Vector256.Load(r1 + q), b0);
            c0 = Fma.MultiplyAdd(x0, Vector256.Load(r2 + q), c0);
            d0 = Fma.MultiplyAdd(x0, Vector256.Load(r3 + q), d0);
            q += 8;
        }
        float sa = Vector256.Sum(a0 + a1), sb = Vector256.Sum(b0 + b1), sc = Vector256.Sum(c0 + c1), sd = Vector256.Sum(d0 + d1);
        for (; q < k; q++)
        {
            float xq = x[q];
            sa = MathF.FusedMultiplyAdd(xq, b[q], sa);
            sb = MathF.FusedMultiplyAdd(xq, r1[q], sb);
            sc = MathF.FusedMultiplyAdd(xq, r2[q], sc);
            sd = MathF.FusedMultiplyAdd(xq, r3[q], sd);
        }
        sums[0] = sa; sums[1] = sb; sums[2] = sc; sums[3] = sd;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot256(float* x, float* b, nint k)
    {
        Vector256<float> a0 = default, a1 = default;
        nint q = 0;
        for (; q + 16 <= k; q += 16)
        {
            a0 = Fma.MultiplyAdd(Vector256.Load(x + q), Vector256.Load(b + q), a0);
            a1 = Fma.MultiplyAdd(Vector256.Load(x + q + 8), Vector256.Load(b + q + 8), a1);
        }
        if (q + 8 <= k)
        {
            a0 = Fma.MultiplyAdd(Vector256.Load(x + q), Vector256.Load(b + q), a0);
            q += 8;
        }
        float s = Vector256.Sum(a0 + a1);
        for (; q < k; q++) s = MathF.FusedMultiplyAdd(x[q], b[q], s);
        return s;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DotRowsScalar(in Problem p, int j0, int j1, TileUpdate* update)
    {
        float* x = p.A, sums = stackalloc float[1];
        int k = p.K;
        for (int j = j0; j < j1; j++)
        {
            float* b = p.B + (nint)j * k;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int q = 0;
            for (; q + 4 <= k; q += 4)
            {
                s0 += x[q] * b[q];
                s1 += x[q + 1] * b[q + 1];
                s2 += x[q + 2] * b[q + 2];
                s3 += x[q + 3] * b[q + 3];
            }
            for (; q < k; q++) s0 += x[q] * b[q];
            sums[0] = (s0 + s1) + (s2 + s3);
            Finish(in p, sums, j, 1, update);
        }
    }
}
