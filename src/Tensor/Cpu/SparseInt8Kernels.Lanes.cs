using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Batch N (sparse int8 × dense) with the batch rows in the vector lanes: a is transposed once to aᵀ [In, stride]
/// (stride = B rounded up to 16 on AVX-512, 8 on AVX2, zero-padded), so the u8 activations of one column for 16 (or 8)
/// consecutive batch rows are contiguous, and W is streamed once per chunk of batch rows.
/// </summary>
/// <remarks>
/// For a block row and a chunk of batch rows there are 8 int32 accumulators, one per output channel of the block, each
/// holding that channel for every batch row of the chunk. A group of 4 blocks (columns c0 … c3) interleaves the 4
/// columns of aᵀ into one dword per batch row, [a[b, c0], a[b, c1], a[b, c2], a[b, c3]] (two rounds of byte and word
/// unpacks), once; then channel i's 4 values — dword i of the group — are broadcast, and vpmaddubsw (pair sums ≤ 32640,
/// never saturated) + vpmaddwd by 1 add the 4 products into accumulator i: 1 interleave + 8 × (broadcast, vpmaddubsw,
/// vpmaddwd, vpaddd) per 4 blocks × 8 channels × 16 rows. Without VNNI (vpdpbusd) that is 3 instructions per 64
/// multiply-adds where the fp32 lanes kernel needs 1 FMA per 16, so int8 gains bytes here but little arithmetic (see
/// docs/sparse-int8-kernels.md). A block row's last 1–3 blocks are padded to a group with zero values and zero columns.
/// The accumulators pass through a stack tile into C [B, Out] less z·Σq; exact, hence equal to the reference.
/// </remarks>
internal static unsafe class SparseInt8Lanes
{
    /// <summary>Block rows [first, end) for every batch row, reading p.Transposed.</summary>
    public static void Run(in SparseInt8Problem p, int first, int end)
    {
        if (p.Path == KernelPath.Avx512) Rows512(in p, first, end);
        else Rows256(in p, first, end);
    }

    // Bytes 0 … 15 of x0 … x3 (columns c0 … c3 of 16 batch rows) as 16 dwords [x0[b], x1[b], x2[b], x3[b]].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Interleave16(Vector128<byte> x0, Vector128<byte> x1, Vector128<byte> x2, Vector128<byte> x3)
    {
        Vector128<short> lo01 = Sse2.UnpackLow(x0, x1).AsInt16(), hi01 = Sse2.UnpackHigh(x0, x1).AsInt16();
        Vector128<short> lo23 = Sse2.UnpackLow(x2, x3).AsInt16(), hi23 = Sse2.UnpackHigh(x2, x3).AsInt16();
        return Vector512.Create(
            Vector256.Create(Sse2.UnpackLow(lo01, lo23), Sse2.UnpackHigh(lo01, lo23)),
            Vector256.Create(Sse2.UnpackLow(hi01, hi23), Sse2.UnpackHigh(hi01, hi23))).AsByte();
    }

    // Bytes 0 … 7 of x0 … x3 (columns c0 … c3 of 8 batch rows) as 8 dwords [x0[b], x1[b], x2[b], x3[b]].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Interleave8(Vector128<byte> x0, Vector128<byte> x1, Vector128<byte> x2, Vector128<byte> x3)
    {
        Vector128<short> lo01 = Sse2.UnpackLow(x0, x1).AsInt16(), lo23 = Sse2.UnpackLow(x2, x3).AsInt16();
        return Vector256.Create(Sse2.UnpackLow(lo01, lo23), Sse2.UnpackHigh(lo01, lo23)).AsByte();
    }

    // The last 1–3 blocks [u, u + width) of a block row as a zero-padded group: 32 value bytes into `padded`.
    private static void PadGroup(in SparseInt8Problem p, int u, int width, sbyte* padded)
    {
        Vector256<sbyte>.Zero.Store(padded);
        for (int j = 0; j < width; j++)
            for (int i = 0; i < 8; i++) padded[4 * i + j] = p.Values[u * 8 + width * i + j];
    }

    // Column `u + j` of aᵀ at batch rows [c, c + 16) (or 8 when `narrow`), zero past the block row's end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Column(in SparseInt8Problem p, int u, int j, int stop, int c, bool narrow)
    {
        if (u + j >= stop) return Vector128<byte>.Zero;
        byte* column = p.Transposed + (nint)p.ColumnIndices[u + j] * p.Stride + c;
        return narrow ? Vector128.CreateScalar(*(ulong*)column).AsByte() : Vector128.Load(column);
    }

    // Lanes [0, lanes) of the 8 channel rows of `tile` (row i = channel i, `lanes` apart) hold C[c + l, 8r + i] + z·Σq:
    // write the real batch rows and channels.
    private static void Store(in SparseInt8Problem p, int* tile, int lanes, int c, int r)
    {
        int rows = Math.Min(lanes, p.Batch - c), o0 = r * 8, channels = Math.Min(8, p.Rows - o0);
        for (int l = 0; l < rows; l++)
        {
            int* y = p.C + (nint)(c + l) * p.Rows + o0;
            for (int i = 0; i < channels; i++) y[i] = tile[i * lanes + l] - p.ZeroPoint * p.RowSums[o0 + i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows512(in SparseInt8Problem p, int first, int end)
    {
        int* tile = stackalloc int[8 * 16];
        sbyte* padded = stackalloc sbyte[32];
        Vector512<short> ones = Vector512.Create((short)1);
        for (int c = 0; c < p.Stride; c += 16)
            for (int r = first; r < end; r++)
            {
                Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                int stop = p.RowStarts[r + 1];
                for (int u = p.RowStarts[r]; u < stop; u += 4)
                {
                    Vector512<byte> x = Interleave16(Column(in p, u, 0, stop, c, false), Column(in p, u, 1, stop, c, false),
                        Column(in p, u, 2, stop, c, false), Column(in p, u, 3, stop, c, false));
                    sbyte* w = p.Values + u * 8;
                    if (u + 4 > stop)
                    {
                        PadGroup(in p, u, stop - u, padded);
                        w = padded;
                    }
                    a0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)w).AsSByte()), ones);
                    a1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 4)).AsSByte()), ones);
                    a2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 8)).AsSByte()), ones);
                    a3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 12)).AsSByte()), ones);
                    a4 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 16)).AsSByte()), ones);
                    a5 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 20)).AsSByte()), ones);
                    a6 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 24)).AsSByte()), ones);
                    a7 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 28)).AsSByte()), ones);
                }
                a0.Store(tile); a1.Store(tile + 16); a2.Store(tile + 32); a3.Store(tile + 48);
                a4.Store(tile + 64); a5.Store(tile + 80); a6.Store(tile + 96); a7.Store(tile + 112);
                Store(in p, tile, 16, c, r);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows256(in SparseInt8Problem p, int first, int end)
    {
        int* tile = stackalloc int[8 * 8];
        sbyte* padded = stackalloc sbyte[32];
        Vector256<short> ones = Vector256.Create((short)1);
        for (int c = 0; c < p.Stride; c += 8)
            for (int r = first; r < end; r++)
            {
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                int stop = p.RowStarts[r + 1];
                for (int u = p.RowStarts[r]; u < stop; u += 4)
                {
                    Vector256<byte> x = Interleave8(Column(in p, u, 0, stop, c, true), Column(in p, u, 1, stop, c, true),
                        Column(in p, u, 2, stop, c, true), Column(in p, u, 3, stop, c, true));
                    sbyte* w = p.Values + u * 8;
                    if (u + 4 > stop)
                    {
                        PadGroup(in p, u, stop - u, padded);
                        w = padded;
                    }
                    a0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)w).AsSByte()), ones);
                    a1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 4)).AsSByte()), ones);
                    a2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 8)).AsSByte()), ones);
                    a3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 12)).AsSByte()), ones);
                    a4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 16)).AsSByte()), ones);
                    a5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 20)).AsSByte()), ones);
                    a6 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 24)).AsSByte()), ones);
                    a7 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, Vector256.Create(*(int*)(w + 28)).AsSByte()), ones);
                }
                a0.Store(tile); a1.Store(tile + 8); a2.Store(tile + 16); a3.Store(tile + 24);
                a4.Store(tile + 32); a5.Store(tile + 40); a6.Store(tile + 48); a7.Store(tile + 56);
                Store(in p, tile, 8, c, r);
            }
    }
}
