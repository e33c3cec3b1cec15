using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

// The 512-bit path. One step multiplies a 4-byte group of an activation row, broadcast to all 16 lanes, by one
// Int8Tile (16 columns × 4 k):
//   vpmaddubsw  u8 a × s8 q, adjacent pairs summed → 32 × int16   (|pair| ≤ 255·64·2 = 32640: never saturates)
//   vpmaddwd    × 1, adjacent int16 pairs summed   → 16 × int32   (the 4-k dot product of each column)
//   vpaddd      into the column tile's accumulator
// GEMV (one row): four tiles (64 columns) per pass, four accumulators zmm0–3, one broadcast shared by four tile
// loads. GEMM: a 4-row × 2-tile block (4 × 32 columns of C), eight accumulators:
//          tile t     tile t+1
//   row 0  acc00      acc01        each k-group: load tile t and t+1 (2 zmm), then per row broadcast its 4 bytes
//   row 1  acc10      acc11        and do two steps; the tile pair (2·Groups·64 bytes, 38 KB at K = 1200) stays in
//   row 2  acc20      acc21        L1/L2 while the row blocks stream past. Leftover rows and an odd last tile go
//   row 3  acc30      acc31        through the GEMV loop; integer sums make the grouping invisible in the result.
internal static unsafe partial class Int8Gemm
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Tiles(in Int8Problem p, int t0, int t1)
    {
        int fullRows = p.M / 4 * 4;
        int t = t0;
        for (; t + 2 <= t1; t += 2)
            for (int i = 0; i < fullRows; i += 4) Block512(in p, i, t);
        for (int i = 0; i < p.M; i++)
        {
            if (i < fullRows) { if (t < t1) Gemv512(in p, i, t, t1); }
            else Gemv512(in p, i, t0, t1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Step512(Vector512<int> acc, Vector512<byte> a, Vector512<sbyte> tile) =>
        acc + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, tile), Vector512<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Load512(Int8Tile* tile) => Vector512.Load((sbyte*)tile);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Broadcast512(byte* a) => Vector512.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();

    // acc − z·Σq into the tile's columns of row c.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(in Int8Problem p, Vector512<int> acc, int* c, int t)
    {
        (acc - Vector512.Create(p.ZeroPoint) * Vector512.Load(p.RowSums + t * Int8Tile.Columns)).Store(c + t * Int8Tile.Columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv512(in Int8Problem p, int i, int t0, int t1)
    {
        byte* a = p.A + (long)i * p.AStride;
        int* c = p.C + (long)i * p.CStride;
        int groups = p.Groups, t = t0;
        for (; t + 4 <= t1; t += 4)
        {
            Int8Tile* b0 = p.Tiles + (long)t * groups, b1 = b0 + groups, b2 = b1 + groups, b3 = b2 + groups;
            Vector512<int> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int g = 0; g < groups; g++)
            {
                Vector512<byte> x = Broadcast512(a + g * Int8Tile.Depth);
                acc0 = Step512(acc0, x, Load512(b0 + g));
                acc1 = Step512(acc1, x, Load512(b1 + g));
                acc2 = Step512(acc2, x, Load512(b2 + g));
                acc3 = Step512(acc3, x, Load512(b3 + g));
            }
            Store512(in p, acc0, c, t);
            Store512(in p, acc1, c, t + 1);
            Store512(in p, acc2, c, t + 2);
            Store512(in p, acc3, c, t + 3);
        }
        for (; t < t1; t++)
        {
            Int8Tile* b = p.Tiles + (long)t * groups;
            Vector512<int> acc = default;
            for (int g = 0; g < groups; g++) acc = Step512(acc, Broadcast512(a + g * Int8Tile.Depth), Load512(b + g));
            Store512(in p, acc, c, t);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block512(in Int8Problem p, int i, int t)
    {
        long stride = p.AStride;
        byte* a0 = p.A + i * stride, a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride;
        int groups = p.Groups;
        Int8Tile* b0 = p.Tiles + (long)t * groups, b1 = b0 + groups;
        Vector512<int> acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        Vector512<int> acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        for (int g = 0, k = 0; g < groups; g++, k += Int8Tile.Depth)
        {
            Vector512<sbyte> w0 = Load512(b0 + g), w1 = Load512(b1 + g);
            Vector512<byte> x = Broadcast512(a0 + k);
            acc00 = Step512(acc00, x, w0);
            acc01 = Step512(acc01, x, w1);
            x = Broadcast512(a1 + k);
            acc10 = Step512(acc10, x, w0);
            acc11 = Step512(acc11, x, w1);
            x = Broadcast512(a2 + k);
            acc20 = Step512(acc20, x, w0);
            acc21 = Step512(acc21, x, w1);
            x = Broadcast512(a3 + k);
            acc30 = Step512(acc30, x, w0);
            acc31 = Step512(acc31, x, w1);
        }
        int* c = p.C + i * (long)p.CStride;
        Store512(in p, acc00, c, t);
        Store512(in p, acc01, c, t + 1);
        c += p.CStride;
        Store512(in p, acc10, c, t);
        Store512(in p, acc11, c, t + 1);
        c += p.CStride;
        Store512(in p, acc20, c, t);
        Store512(in p, acc21, c, t + 1);
        c += p.CStride;
        Store512(in p, acc30, c, t);
        Store512(in p, acc31, c, t + 1);
    }
}
