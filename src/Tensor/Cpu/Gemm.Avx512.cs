using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The AVX-512 micro-kernel: a 12×32 tile of C held in 24 zmm registers, updated by rank-1 steps over packed panels.
/// </summary>
/// <remarks>
/// Register tile (row-major C, vectors along N; c{i}{h} is the zmm holding C[i, 16h … 16h+15], rows 10 and 11
/// named a and b):
/// <code>
///   step p:     B̃ row p →  [ b0 = B̃[p, 0..15] ][ b1 = B̃[p, 16..31] ]   2 64-byte loads (zmm24, zmm25)
///   Ã[p, 0]  → bcast  →   [ c00  (zmm0)       ][ c01  (zmm1)        ]
///   Ã[p, 1]  → bcast  →   [ c10  (zmm2)       ][ c11  (zmm3)        ]
///      …                     …                    …                     24 accumulators, zmm0–zmm23
///   Ã[p, 11] → bcast  →   [ cb0  (zmm22)      ][ cb1  (zmm23)       ]
///                         (each broadcast lands in zmm26)
/// </code>
/// Loop order: p outermost (one rank-1 update per step), rows inside; each step broadcasts the 12 values of Ã's
/// step p (vbroadcastss from memory) and issues 24 vfmadd231ps, so 27 of the 32 zmm registers are live in the loop
/// and none spills (the disassembly of the loop is 2 loads, 12 broadcasts, 24 FMAs and 4 loop instructions). 24
/// independent accumulation chains cover the FMA latency (4 cycles) times the FMA throughput (Zen 4: one 512-bit
/// FMA per cycle, as two 256-bit halves on its two FMA pipes; Intel server cores: two per cycle) with room to spare,
/// and the loads per step (2 vectors + 12 scalars, 176 bytes for 384 multiply-adds) stay well under the load ports'
/// budget. Measured in L1 on this machine: 116.7 GFLOP/s, 99.7% of the FMA peak.
/// </remarks>
internal readonly unsafe struct GemmAvx512 : IGemmKernel
{
    public static int MR => 12;
    public static int NR => 32;
    public static int TileStepM => 4;
    public static int TileStepN => 16;

    /// <summary>
    /// C[0..rows, 0..cols] ← update(Ã·B̃) for one tile (rows ≤ 12, cols ≤ 32). A partial tile runs the smallest
    /// variant that covers it (4, 8, 10 or 12 rows; 16 or 32 columns), so the MLP's 128 rows = 10 × 12 + 8 waste no
    /// work, nor does the 10-class logits layer computed transposed (10 rows: as 12 it ran 6–8% behind the AVX2
    /// kernel's 6 + 4 on Zen 4), and a column-partial tile is stored through lane masks with the same operations as
    /// a full one.
    /// </summary>
    public static void Multiply(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols, TileUpdate* update)
    {
        if (PrefetchesB) Multiply<Steps8>(kc, a, b, ldb, c, ldc, rows, cols, update);
        else Multiply<Steps0>(kc, a, b, ldb, c, ldc, rows, cols, update);
    }

    /// <summary>
    /// Whether the kernel prefetches its B̃ panel into L1 8 steps (1 KiB) ahead of its loads, as OpenBLAS's SkylakeX
    /// kernel does for its streamed panel: on cores that run 512-bit FMAs at full width, two per cycle, a step takes 12
    /// cycles and the 128 bytes of B̃ it reads come from L2 faster than the hardware prefetchers bring them.
    /// Measured on an Ice Lake Xeon (48 KiB L1d, 1.25 MiB L2), one thread, interleaved against OpenBLAS in one process:
    /// 1024³ 123 → 128–131 GFLOP/s, the teacher's 128-row products 3–10% faster; 16 steps ahead measured the same.
    /// Not on Zen 4, whose 512-bit FMAs take two cycles, halving the rate B̃ is read at (its kernel reached 91% of
    /// the peak without it, and prefetching the AVX2 kernel's B̃ 4–16 steps ahead changed nothing there).
    /// </summary>
    private static readonly bool PrefetchesB = !CpuFamily.SplitsWideVectors;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Multiply<TAhead>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols, TileUpdate* update)
        where TAhead : struct, IConstant
    {
        if (cols > 16)
        {
            if (rows > 10) Tile<Rows12, TwoVectors, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
            else if (rows > 8) Tile<Rows10, TwoVectors, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
            else if (rows > 4) Tile<Rows8, TwoVectors, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
            else Tile<Rows4, TwoVectors, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
        }
        else
        {
            if (rows > 10) Tile<Rows12, OneVector, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
            else if (rows > 8) Tile<Rows10, OneVector, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
            else if (rows > 4) Tile<Rows8, OneVector, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
            else Tile<Rows4, OneVector, TAhead>(kc, a, b, ldb, c, ldc, rows, cols, update);
        }
    }

    // The micro-kernel. TRows (4, 8, 12) and TCols (one or two vectors) are constants once the JIT specializes the
    // method for these structs: the rows and vectors a variant does not use vanish with their accumulators. Ã keeps
    // its full stride (12 floats per step) in every variant; B is a packed panel (ldb = 32) or, when B is stored K×N
    // and needs no scaling, read in place (ldb = N).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Tile<TRows, TCols, TAhead>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols,
        TileUpdate* update) where TRows : struct, IConstant where TCols : struct, IFlag where TAhead : struct, IConstant
    {
        // Start fetching the C tile now: it is read (β ≠ 0, later K blocks) or written only after the loop, and a
        // gradient's C is often no longer in cache.
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            if (TCols.Two) Sse.Prefetch0(c + r * ldc + 16);
        }
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (; kc > 0; kc--)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = TCols.Two ? Vector512.Load(b + 16) : default;
            if (TAhead.Count > 0)
            {
                Sse.Prefetch0(b + TAhead.Count * ldb);
                if (TCols.Two) Sse.Prefetch0(b + TAhead.Count * ldb + 16);
            }
            Vector512<float> ai;
            ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
            if (TCols.Two) c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
            if (TCols.Two) c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
            if (TCols.Two) c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
            if (TCols.Two) c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            if (TRows.Count > 4)
            {
                ai = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
                if (TCols.Two) c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            }
            if (TRows.Count > 5)
            {
                ai = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
                if (TCols.Two) c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            }
            if (TRows.Count > 6)
            {
                ai = Vector512.Create(a[6]);
                c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60);
                if (TCols.Two) c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            }
            if (TRows.Count > 7)
            {
                ai = Vector512.Create(a[7]);
                c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70);
                if (TCols.Two) c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
            }
            if (TRows.Count > 8)
            {
                ai = Vector512.Create(a[8]);
                c80 = Avx512F.FusedMultiplyAdd(ai, b0, c80);
                if (TCols.Two) c81 = Avx512F.FusedMultiplyAdd(ai, b1, c81);
            }
            if (TRows.Count > 9)
            {
                ai = Vector512.Create(a[9]);
                c90 = Avx512F.FusedMultiplyAdd(ai, b0, c90);
                if (TCols.Two) c91 = Avx512F.FusedMultiplyAdd(ai, b1, c91);
            }
            if (TRows.Count > 10)
            {
                ai = Vector512.Create(a[10]);
                ca0 = Avx512F.FusedMultiplyAdd(ai, b0, ca0);
                if (TCols.Two) ca1 = Avx512F.FusedMultiplyAdd(ai, b1, ca1);
            }
            if (TRows.Count > 11)
            {
                ai = Vector512.Create(a[11]);
                cb0 = Avx512F.FusedMultiplyAdd(ai, b0, cb0);
                if (TCols.Two) cb1 = Avx512F.FusedMultiplyAdd(ai, b1, cb1);
            }
            a += 12;
            b += ldb;
        }
        // A tile whose columns fill its vectors is finished in registers; a column-partial one goes through a small
        // stack tile and masked stores. Nothing here is a call while the accumulators are live: a call would make
        // the JIT keep them in memory throughout the loop above.
        if (cols == (TCols.Two ? 32 : 16))
        {
            StoreRow<TCols>(c, c00, c01, update);
            if (rows > 1) StoreRow<TCols>(c + 1 * ldc, c10, c11, update);
            if (rows > 2) StoreRow<TCols>(c + 2 * ldc, c20, c21, update);
            if (rows > 3) StoreRow<TCols>(c + 3 * ldc, c30, c31, update);
            if (rows > 4) StoreRow<TCols>(c + 4 * ldc, c40, c41, update);
            if (rows > 5) StoreRow<TCols>(c + 5 * ldc, c50, c51, update);
            if (rows > 6) StoreRow<TCols>(c + 6 * ldc, c60, c61, update);
            if (rows > 7) StoreRow<TCols>(c + 7 * ldc, c70, c71, update);
            if (rows > 8) StoreRow<TCols>(c + 8 * ldc, c80, c81, update);
            if (rows > 9) StoreRow<TCols>(c + 9 * ldc, c90, c91, update);
            if (rows > 10) StoreRow<TCols>(c + 10 * ldc, ca0, ca1, update);
            if (rows > 11) StoreRow<TCols>(c + 11 * ldc, cb0, cb1, update);
        }
        else
        {
            float* t = stackalloc float[12 * 32];
            c00.Store(t + 0);
            if (TCols.Two) c01.Store(t + 16);
            c10.Store(t + 32);
            if (TCols.Two) c11.Store(t + 48);
            c20.Store(t + 64);
            if (TCols.Two) c21.Store(t + 80);
            c30.Store(t + 96);
            if (TCols.Two) c31.Store(t + 112);
            if (TRows.Count > 4)
            {
                c40.Store(t + 128);
                if (TCols.Two) c41.Store(t + 144);
            }
            if (TRows.Count > 5)
            {
                c50.Store(t + 160);
                if (TCols.Two) c51.Store(t + 176);
            }
            if (TRows.Count > 6)
            {
                c60.Store(t + 192);
                if (TCols.Two) c61.Store(t + 208);
            }
            if (TRows.Count > 7)
            {
                c70.Store(t + 224);
                if (TCols.Two) c71.Store(t + 240);
            }
            if (TRows.Count > 8)
            {
                c80.Store(t + 256);
                if (TCols.Two) c81.Store(t + 272);
            }
            if (TRows.Count > 9)
            {
                c90.Store(t + 288);
                if (TCols.Two) c91.Store(t + 304);
            }
            if (TRows.Count > 10)
            {
                ca0.Store(t + 320);
                if (TCols.Two) ca1.Store(t + 336);
            }
            if (TRows.Count > 11)
            {
                cb0.Store(t + 352);
                if (TCols.Two) cb1.Store(t + 368);
            }
            StorePartial(t, c, ldc, rows, cols, update);
        }
    }

    // The same arithmetic, in the same order, as GemmTile.Merge's scalar loop (which the transposed-output tiles use).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TCols>(float* c, Vector512<float> v0, Vector512<float> v1, TileUpdate* update) where TCols : struct, IFlag
    {
        if (update->Mode == TileMode.Accumulate)
        {
            v0 += Vector512.Load(c);
            if (TCols.Two) v1 += Vector512.Load(c + 16);
        }
        else if (update->Mode == TileMode.Scale)
        {
            Vector512<float> beta = Vector512.Create(update->Beta);
            v0 = Avx512F.FusedMultiplyAdd(Vector512.Load(c), beta, v0);
            if (TCols.Two) v1 = Avx512F.FusedMultiplyAdd(Vector512.Load(c + 16), beta, v1);
        }
        if (update->Bias != null)
        {
            v0 += Vector512.Load(update->Bias);
            if (TCols.Two) v1 += Vector512.Load(update->Bias + 16);
        }
        if (update->Relu)
        {
            v0 = Avx512F.Max(Vector512<float>.Zero, v0);
            if (TCols.Two) v1 = Avx512F.Max(Vector512<float>.Zero, v1);
        }
        Vector512.Store(v0, c);
        if (TCols.Two) Vector512.Store(v1, c + 16);
    }

    // Rows × cols of a stack tile (row stride 32) into C through lane masks: StoreRow's operations on the valid lanes.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void StorePartial(float* t, float* c, nint ldc, int rows, int cols, TileUpdate* update)
    {
        for (int h = 0; h < cols; h += 16)
        {
            Vector512<float> mask = GemmPack.TailMask(cols - h), beta = Vector512.Create(update->Beta);
            Vector512<float> bias = update->Bias != null ? Avx512F.MaskLoad(update->Bias + h, mask, Vector512<float>.Zero) : default;
            for (int i = 0; i < rows; i++)
            {
                float* ci = c + i * ldc + h;
                Vector512<float> v = Vector512.Load(t + i * 32 + h);
                if (update->Mode == TileMode.Accumulate) v += Avx512F.MaskLoad(ci, mask, Vector512<float>.Zero);
                else if (update->Mode == TileMode.Scale) v = Avx512F.FusedMultiplyAdd(Avx512F.MaskLoad(ci, mask, Vector512<float>.Zero), beta, v);
                if (update->Bias != null) v += bias;
                if (update->Relu) v = Avx512F.Max(Vector512<float>.Zero, v);
                Avx512F.MaskStore(ci, mask, v);
            }
        }
    }

    public static void PackA(float* src, nint ld, bool alongK, int rows, int kc, float* dst) =>
        GemmPack.PackA12(src, ld, alongK, rows, kc, dst);

    public static void PackB(float* src, nint ld, bool alongK, int cols, int kc, float* dst, float alpha) =>
        GemmPack.PackB32(src, ld, alongK, cols, kc, dst, alpha);
}
