using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The AVX2 + FMA micro-kernel: a 6×16 tile of C in 12 ymm registers (the Haswell-era BLIS shape).
/// </summary>
/// <remarks>
/// Register tile (c[i,h] holds C[i, 8h … 8h+7]):
/// <code>
///              B row p: [ b0 = B̃[p, 0..7] ][ b1 = B̃[p, 8..15] ]
///   A[0, p] ─┐ [ c00                    ][ c01                 ]
///     …      │   …                          …                     12 accumulators
///   A[5, p] ─┘ [ c50                    ][ c51                 ]
/// </code>
/// 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers. AVX2 has no embedded broadcast, so
/// each A value is a vbroadcastss load feeding two vfmadd231ps: 8 loads per 12 FMAs. This is also the tile of
/// OpenBLAS's Haswell/Zen SGEMM (its m16n6, column-major) and of BLIS's Haswell kernel, the same loop of 2 vector
/// loads, 6 broadcasts and 12 FMAs per step. Other tiles for 16 ymm registers do worse by the same count: 4×24
/// (12 accumulators, 3 B vectors) streams 24 floats of B̃ per 12 FMAs instead of 16; 8×8 has 8 accumulators, just
/// the 2 pipes × 4 cycles of FMA latency, and needs a broadcast per FMA.
/// Measured on Zen 4 (AVX2 path forced, `OPENBLAS_CORETYPE=Zen tinykd bench --openblas --kernels avx2`): 1024³ at
/// 105.9 GFLOP/s against 106.2 for OpenBLAS 0.3.21's Zen kernel in the same process (208 / 209 on two threads); the
/// 128-row MLP products 4–7% behind it, the weight gradients 6–13% ahead (docs/gemm.md). B̃ prefetches 4–16 steps
/// ahead (OpenBLAS issues them), K unrolled by two and the other loop order (B micro-panel in L1, Ã streamed from
/// L2) changed nothing there or lost up to 5%. On Intel cores, whose 256-bit FMAs share ports 0 and 1 with the loop's
/// scalar bookkeeping, four steps an iteration over packed B̃ gained 1–4% (<see cref="Tile{TRows}"/>).
/// </remarks>
internal readonly unsafe struct GemmAvx2 : IGemmKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int TileStepM => 2;
    public static int TileStepN => 16;

    /// <summary>
    /// C[0..rows, 0..cols] ← update(Ã·B̃) for one tile (rows ≤ 6, cols ≤ 16). A partial tile runs the smallest row
    /// variant that covers it (2, 4 or 6 rows: the MLP's 128 rows = 21 × 6 + 2 then waste no FMAs, where a full
    /// 6-row tile for the last 2 rows cost 3% of the product); a column-partial tile is computed whole into a scratch
    /// tile and merged by <see cref="GemmTile.Merge"/> (AVX2's masked stores are slow on some cores). Its stackalloc keeps
    /// the JIT from inlining it into the driver, so it is compiled fully optimised at once (docs/elementwise-ops.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols, TileUpdate* update)
    {
        if (cols == 16)
        {
            if (rows > 4) Tile<Rows6>(kc, a, b, ldb, c, ldc, rows, update);
            else if (rows > 2) Tile<Rows4>(kc, a, b, ldb, c, ldc, rows, update);
            else Tile<Rows2>(kc, a, b, ldb, c, ldc, rows, update);
            return;
        }
        float* scratch = stackalloc float[6 * 16];
        var overwrite = new TileUpdate { Mode = TileMode.Overwrite };
        if (rows > 4) Tile<Rows6>(kc, a, b, ldb, scratch, 16, rows, &overwrite);
        else if (rows > 2) Tile<Rows4>(kc, a, b, ldb, scratch, 16, rows, &overwrite);
        else Tile<Rows2>(kc, a, b, ldb, scratch, 16, rows, &overwrite);
        GemmTile.Merge(scratch, 16, c, ldc, rows, cols, update);
    }

    // The micro-kernel for TRows (2, 4, 6) rows; the JIT specializes it per struct, so the rows a variant does not
    // use vanish with their accumulators. Ã keeps its full stride (6 floats per step) in every variant. Stores rows
    // [0, rows) of the tile (rows > TRows − 2).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, TileUpdate* update)
        where TRows : struct, IConstant
    {
        // Start fetching the C tile (two lines per row: 16 floats may straddle them); it is read or written only
        // after the loop, and a gradient's C is often no longer in cache. Worth about 1% at 1024³ on Zen 4.
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 15);
        }
        var t = new Accumulators();
        // Packed B̃ (ldb = 16, every full tile): four steps an iteration at constant offsets, so the loop carries one
        // pointer update and one branch per four steps, not per step. On an Ice Lake Xeon (AVX2 path forced, against
        // OpenBLAS's Haswell kernel in the same process) the MLP's 128-row products and their weight gradients ran
        // 1–4% faster, 1024³ the same.
        if (ldb == 16)
        {
            for (; kc >= 4; kc -= 4, a += 24, b += 64)
            {
                Step<TRows>(ref t, a, b, 0);
                Step<TRows>(ref t, a, b, 1);
                Step<TRows>(ref t, a, b, 2);
                Step<TRows>(ref t, a, b, 3);
            }
        }
        for (; kc > 0; kc--, a += 6, b += ldb)
            Step<TRows>(ref t, a, b, 0);
        StoreRow(c, t.C00, t.C01, update);
        if (rows > 1) StoreRow(c + ldc, t.C10, t.C11, update);
        if (rows > 2) StoreRow(c + 2 * ldc, t.C20, t.C21, update);
        if (rows > 3) StoreRow(c + 3 * ldc, t.C30, t.C31, update);
        if (rows > 4) StoreRow(c + 4 * ldc, t.C40, t.C41, update);
        if (rows > 5) StoreRow(c + 5 * ldc, t.C50, t.C51, update);
    }

    // Step p of the K loop from (a, b), packed B̃ rows apart: the tile's rows += Ã[p, 0..5] ⊗ B̃[p, 0..15]. Inlined,
    // the accumulators stay in registers and a constant p folds into the loads' addresses.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TRows>(ref Accumulators t, float* a, float* b, int p) where TRows : struct, IConstant
    {
        Vector256<float> b0 = Vector256.Load(b + 16 * p), b1 = Vector256.Load(b + 16 * p + 8);
        Vector256<float> ai = Vector256.Create(a[6 * p + 0]);
        t.C00 = Fma.MultiplyAdd(ai, b0, t.C00); t.C01 = Fma.MultiplyAdd(ai, b1, t.C01);
        ai = Vector256.Create(a[6 * p + 1]);
        t.C10 = Fma.MultiplyAdd(ai, b0, t.C10); t.C11 = Fma.MultiplyAdd(ai, b1, t.C11);
        if (TRows.Count > 2)
        {
            ai = Vector256.Create(a[6 * p + 2]);
            t.C20 = Fma.MultiplyAdd(ai, b0, t.C20); t.C21 = Fma.MultiplyAdd(ai, b1, t.C21);
            ai = Vector256.Create(a[6 * p + 3]);
            t.C30 = Fma.MultiplyAdd(ai, b0, t.C30); t.C31 = Fma.MultiplyAdd(ai, b1, t.C31);
        }
        if (TRows.Count > 4)
        {
            ai = Vector256.Create(a[6 * p + 4]);
            t.C40 = Fma.MultiplyAdd(ai, b0, t.C40); t.C41 = Fma.MultiplyAdd(ai, b1, t.C41);
            ai = Vector256.Create(a[6 * p + 5]);
            t.C50 = Fma.MultiplyAdd(ai, b0, t.C50); t.C51 = Fma.MultiplyAdd(ai, b1, t.C51);
        }
    }

    // The 6×16 tile's 12 accumulators (Cih holds C[i, 8h … 8h+7]).
    private struct Accumulators
    {
        public Vector256<float> C00, C01, C10, C11, C20, C21, C30, C31, C40, C41, C50, C51;
    }

    // Same arithmetic and order as GemmTile.Merge (see GemmAvx512.StoreRow).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> v0, Vector256<float> v1, TileUpdate* update)
    {
        if (update->Mode == TileMode.Accumulate)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }
        else if (update->Mode == TileMode.Scale)
        {
            Vector256<float> beta = Vector256.Create(update->Beta);
            v0 = Fma.MultiplyAdd(Vector256.Load(c), beta, v0);
            v1 = Fma.MultiplyAdd(Vector256.Load(c + 8), beta, v1);
        }
        if (update->Bias != null)
        {
            v0 += Vector256.Load(update->Bias);
            v1 += Vector256.Load(update->Bias + 8);
        }
        if (update->Relu)
        {
            v0 = Avx.Max(Vector256<float>.Zero, v0);
            v1 = Avx.Max(Vector256<float>.Zero, v1);
        }
        Vector256.Store(v0, c);
        Vector256.Store(v1, c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* src, nint ld, bool alongK, int rows, int kc, float* dst)
    {
        if (!alongK)
        {
            GemmPack.CopyRows6(src, ld, rows, kc, dst);
            return;
        }
        for (int i = 0; i < rows; i += 6, dst += 6 * kc)
            GemmPack.Transpose8(src + i * ld, ld, Math.Min(6, rows - i), kc, 6, dst, 1f);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* src, nint ld, bool alongK, int cols, int kc, float* dst, float alpha)
    {
        if (!alongK)
        {
            GemmPack.CopyRows16(src, ld, cols, kc, dst, alpha);
            return;
        }
        for (int j = 0; j < cols; j += 16, dst += 16 * kc)
        {
            int valid = Math.Min(16, cols - j);
            GemmPack.Transpose8(src + j * ld, ld, Math.Min(valid, 8), kc, 16, dst, alpha);
            GemmPack.Transpose8(src + (j + 8) * ld, ld, Math.Max(valid - 8, 0), kc, 16, dst + 8, alpha);
        }
    }
}
