using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

// The 256-bit paths. An Int8Tile is two ymm here: bytes 0–31 hold columns 0–7 (lo), bytes 32–63 columns 8–15 (hi).
// One step is the 512-bit path's at half width: vpmaddubsw → vpmaddwd(×1) → vpaddd, never saturating for |q| ≤ 64.
// GEMV: two tiles per pass, accumulators ymm0–3 (t.lo, t.hi, t+1.lo, t+1.hi) sharing one broadcast. GEMM: a 4-row ×
// 1-tile block, eight accumulators (row r: acc r.lo, acc r.hi), the tile's two halves loaded once per k-group; 16
// ymm registers hold the 8 accumulators, 2 tile halves, the broadcast and the temporaries.
// AvxVnni (only where the CPU reports AVX-VNNI; not on Zen 4, so it is compiled but not run on the machine this was
// written on): vpdpbusd does the three steps in one instruction, and without an int16 intermediate; it is kept to
// the one-tile GEMV, every row on its own.
internal static unsafe partial class Int8Gemm
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Avx2Tiles(in Int8Problem p, int t0, int t1)
    {
        int fullRows = p.M / 4 * 4;
        for (int t = t0; t < t1; t++)
            for (int i = 0; i < fullRows; i += 4) Block256(in p, i, t);
        for (int i = fullRows; i < p.M; i++) Gemv256(in p, i, t0, t1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Step256(Vector256<int> acc, Vector256<byte> a, Vector256<sbyte> tileHalf) =>
        acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, tileHalf), Vector256<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Broadcast256(byte* a) => Vector256.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> LoadLo(Int8Tile* tile) => Vector256.Load((sbyte*)tile);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> LoadHi(Int8Tile* tile) => Vector256.Load((sbyte*)tile + 32);

    // acc − z·Σq into the tile's columns of row c (lo = columns 0–7, hi = 8–15).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(in Int8Problem p, Vector256<int> lo, Vector256<int> hi, int* c, int t)
    {
        int* sums = p.RowSums + t * Int8Tile.Columns;
        Vector256<int> z = Vector256.Create(p.ZeroPoint);
        lo -= z * Vector256.Load(sums);
        hi -= z * Vector256.Load(sums + 8);
        lo.Store(c + t * Int8Tile.Columns);
        hi.Store(c + t * Int8Tile.Columns + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv256(in Int8Problem p, int i, int t0, int t1)
    {
        byte* a = p.A + (long)i * p.AStride;
        int* c = p.C + (long)i * p.CStride;
        int groups = p.Groups, t = t0;
        for (; t + 2 <= t1; t += 2)
        {
            Int8Tile* b0 = p.Tiles + (long)t * groups, b1 = b0 + groups;
            Vector256<int> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int g = 0; g < groups; g++)
            {
                Vector256<byte> x = Broadcast256(a + g * Int8Tile.Depth);
                acc0 = Step256(acc0, x, LoadLo(b0 + g));
                acc1 = Step256(acc1, x, LoadHi(b0 + g));
                acc2 = Step256(acc2, x, LoadLo(b1 + g));
                acc3 = Step256(acc3, x, LoadHi(b1 + g));
            }
            Store256(in p, acc0, acc1, c, t);
            Store256(in p, acc2, acc3, c, t + 1);
        }
        for (; t < t1; t++)
        {
            Int8Tile* b = p.Tiles + (long)t * groups;
            Vector256<int> lo = default, hi = default;
            for (int g = 0; g < groups; g++)
            {
                Vector256<byte> x = Broadcast256(a + g * Int8Tile.Depth);
                lo = Step256(lo, x, LoadLo(b + g));
                hi = Step256(hi, x, LoadHi(b + g));
            }
            Store256(in p, lo, hi, c, t);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block256(in Int8Problem p, int i, int t)
    {
        long stride = p.AStride;
        byte* a0 = p.A + i * stride, a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride;
        int groups = p.Groups;
        Int8Tile* b = p.Tiles + (long)t * groups;
        Vector256<int> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
        Vector256<int> lo2 = default, hi2 = default, lo3 = default, hi3 = default;
        for (int g = 0, k = 0; g < groups; g++, k += Int8Tile.Depth)
        {
            Vector256<sbyte> wLo = LoadLo(b + g), wHi = LoadHi(b + g);
            Vector256<byte> x = Broadcast256(a0 + k);
            lo0 = Step256(lo0, x, wLo);
            hi0 = Step256(hi0, x, wHi);
            x = Broadcast256(a1 + k);
            lo1 = Step256(lo1, x, wLo);
            hi1 = Step256(hi1, x, wHi);
            x = Broadcast256(a2 + k);
            lo2 = Step256(lo2, x, wLo);
            hi2 = Step256(hi2, x, wHi);
            x = Broadcast256(a3 + k);
            lo3 = Step256(lo3, x, wLo);
            hi3 = Step256(hi3, x, wHi);
        }
        int* c = p.C + i * (long)p.CStride;
        Store256(in p, lo0, hi0, c, t);
        Store256(in p, lo1, hi1, c + p.CStride, t);
        Store256(in p, lo2, hi2, c + 2 * p.CStride, t);
        Store256(in p, lo3, hi3, c + 3 * p.CStride, t);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AvxVnniTiles(in Int8Problem p, int t0, int t1)
    {
        for (int i = 0; i < p.M; i++)
        {
            byte* a = p.A + (long)i * p.AStride;
            for (int t = t0; t < t1; t++)
            {
                Int8Tile* b = p.Tiles + (long)t * p.Groups;
                Vector256<int> lo = default, hi = default;
                for (int g = 0; g < p.Groups; g++)
                {
                    Vector256<byte> x = Broadcast256(a + g * Int8Tile.Depth);
                    lo = AvxVnni.MultiplyWideningAndAdd(lo, x, LoadLo(b + g));
                    hi = AvxVnni.MultiplyWideningAndAdd(hi, x, LoadHi(b + g));
                }
                Store256(in p, lo, hi, p.C + (long)i * p.CStride, t);
            }
        }
    }
}
