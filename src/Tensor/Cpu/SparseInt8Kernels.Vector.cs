using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Batch 1 (sparse int8 × vector): C[o] = Σ_u q(u, o)·a[column_u] − z·Σ q for one row a, W streamed once. At batch 1 a
/// Linear layer is bound by reading W: a block here is 8 value bytes + a 2-byte index = 10 bytes, against 34 for the
/// fp32 blocked layout (3.4× fewer) and 8 per 8 elements for the dense int8 weight at any sparsity.
/// </summary>
/// <remarks>
/// A group of 4 blocks (columns c0 … c3) is 32 bytes, channel i's 4 values in dword i (the weight's interleaved
/// layout). The 4 activations a[c0] … a[c3] are packed into one dword and broadcast; vpmaddubsw (u8 × s8, adjacent
/// pairs summed into int16 — at most 255·64·2 = 32640, never saturated) then vpmaddwd by 1 (the int16 pairs into
/// int32) give the group's 8 channel sums, added into one int32 accumulator of 8 lanes. AVX-512 takes two groups per
/// instruction (activations of group 0 in the low 256 bits, group 1 in the high, joined by a masked blend of two
/// broadcasts as the fp32 kernel does) and adds the halves at the end. A block row's last 1–3 blocks are copied into a
/// zero-padded group on the stack and take the same step. Integer sums are exact, so the order does not matter: both
/// paths equal <see cref="SparseInt8Reference"/> bit for bit.
/// Compiled fully optimised at once (AggressiveOptimization), as <see cref="SparseVector"/> explains.
/// </remarks>
internal static unsafe class SparseInt8Vector
{
    /// <summary>Block rows [first, end) of one batch row (p.A is that row of a, p.C that row of C).</summary>
    public static void Run(in SparseInt8Problem p, int first, int end)
    {
        if (p.Path == KernelPath.Avx512) Rows512(in p, first, end);
        else Rows256(in p, first, end);
    }

    // The 4 activations of the blocks at columns[0 … 3], one per byte, block j in byte j.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Pack(byte* a, ushort* columns) =>
        a[columns[0]] | (uint)a[columns[1]] << 8 | (uint)a[columns[2]] << 16 | (uint)a[columns[3]] << 24;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Group256(uint activations, Vector256<sbyte> values) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.Create(activations).AsByte(), values), Vector256.Create((short)1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows512(in SparseInt8Problem p, int first, int end)
    {
        byte* a = p.A;
        Vector512<uint> upper = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u);
        Vector512<short> ones = Vector512.Create((short)1);
        for (int r = first; r < end; r++)
        {
            int u = p.RowStarts[r], stop = p.RowStarts[r + 1];
            Vector512<int> acc = default;
            for (; u + 8 <= stop; u += 8)
            {
                Vector512<byte> act = Vector512.ConditionalSelect(upper,
                    Vector512.Create(Pack(a, p.ColumnIndices + u + 4)), Vector512.Create(Pack(a, p.ColumnIndices + u))).AsByte();
                acc += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(act, Vector512.Load(p.Values + u * 8)), ones);
            }
            Finish(in p, r, u, stop, acc.GetLower() + acc.GetUpper());
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows256(in SparseInt8Problem p, int first, int end)
    {
        byte* a = p.A;
        for (int r = first; r < end; r++)
        {
            int u = p.RowStarts[r], stop = p.RowStarts[r + 1];
            Vector256<int> acc0 = default, acc1 = default;
            for (; u + 8 <= stop; u += 8)
            {
                acc0 += Group256(Pack(a, p.ColumnIndices + u), Vector256.Load(p.Values + u * 8));
                acc1 += Group256(Pack(a, p.ColumnIndices + u + 4), Vector256.Load(p.Values + u * 8 + 32));
            }
            Finish(in p, r, u, stop, acc0 + acc1);
        }
    }

    // Blocks [u, stop) of block row r — fewer than 8: one whole group and/or the last 1–3 blocks, padded with zero
    // values and activations — then C = acc − z·Σq for the row's real channels.
    private static void Finish(in SparseInt8Problem p, int r, int u, int stop, Vector256<int> acc)
    {
        if (u + 4 <= stop)
        {
            acc += Group256(Pack(p.A, p.ColumnIndices + u), Vector256.Load(p.Values + u * 8));
            u += 4;
        }
        int width = stop - u;
        if (width > 0)
        {
            sbyte* padded = stackalloc sbyte[32];
            Vector256<sbyte>.Zero.Store(padded);
            uint activations = 0;
            for (int j = 0; j < width; j++)
            {
                activations |= (uint)p.A[p.ColumnIndices[u + j]] << (8 * j);
                for (int i = 0; i < 8; i++) padded[4 * i + j] = p.Values[u * 8 + width * i + j];
            }
            acc += Group256(activations, Vector256.Load(padded));
        }
        int o0 = r * 8;
        Vector256<int> c = acc - Vector256.Create(p.ZeroPoint) * Vector256.Load(p.RowSums + o0);
        if (o0 + 8 <= p.Rows) c.Store(p.C + o0);
        else for (int i = 0; o0 + i < p.Rows; i++) p.C[o0 + i] = c.GetElement(i);
    }
}
