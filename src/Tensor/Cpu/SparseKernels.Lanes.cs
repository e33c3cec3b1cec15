using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Batch N (sparse × dense) with the batch rows in the vector lanes: x is transposed once to xᵀ [In, stride] (stride =
/// B rounded up to the vector width, zero-padded), so the inputs of one column k for 16 (AVX-512) or 8 (AVX2)
/// consecutive batch rows are one contiguous vector, and every stored weight multiplies whole vectors of them
/// (XNNPACK's SpMM layout). W is streamed once per chunk of batch rows instead of once per row.
/// </summary>
/// <remarks>
/// CSR: for output o and a chunk of 4 vectors of batch rows (64 lanes on AVX-512, 32 on AVX2), 4 accumulators; each
/// stored element w at column k is broadcast once and multiplies the 4 vectors of xᵀ[k]: 1 broadcast + 4 loads per 4
/// FMAs. Chunks left over run one vector at a time.
/// Blocked (8 outputs × 1 input): for block row r and one vector of batch rows, 8 accumulators (one per output of the
/// block); each block loads xᵀ[k] once and multiplies it by its 8 values, broadcast: 1 load + 8 broadcasts per 8 FMAs,
/// no index per element — the output-channel block is what lets one load of x feed 8 FMAs (MNN's 8, Lyra's 4×4).
/// In both, every y[b, o] is one FMA chain over row o's units in column order from +0, the reference's order, so
/// the result equals <see cref="SparseReference"/> bit for bit (explicit zeros in a block add +0·x, which changes
/// nothing for finite x). The accumulators go through a small tile on the stack to y[b, o] with the epilogue.
/// Compiled fully optimised at once (AggressiveOptimization), as <see cref="SparseVector"/> explains.
/// </remarks>
internal static unsafe class SparseLanes
{
    /// <summary>Unit rows [first, end) for every batch row, reading p.Transposed.</summary>
    public static void Run(in SparseProblem p, int first, int end)
    {
        bool wide = p.Path == KernelPath.Avx512;
        if (p.Height == 1)
        {
            if (wide) Csr512(in p, first, end);
            else Csr256(in p, first, end);
        }
        else if (wide) Blocked512(in p, first, end);
        else Blocked256(in p, first, end);
    }

    // Lanes [c, c + count) of the tile row `lane` hold y[c + l, o]: write the real batch rows with the epilogue.
    private static void Store(in SparseProblem p, float* tile, int c, int count, int o)
    {
        int rows = Math.Min(count, p.Batch - c);
        for (int l = 0; l < rows; l++) p.Y[(nint)(c + l) * p.Rows + o] = p.Finish(tile[l], o);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Csr512(in SparseProblem p, int first, int end)
    {
        float* tile = stackalloc float[64];
        nint stride = p.Stride;
        int c = 0;
        for (; c + 64 <= p.Stride; c += 64)
            for (int o = first; o < end; o++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int u = p.RowStarts[o]; u < p.RowStarts[o + 1]; u++)
                {
                    Vector512<float> w = Vector512.Create(p.Values[u]);
                    float* xt = p.Transposed + p.ColumnIndices[u] * stride + c;
                    a0 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(xt), a0);
                    a1 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(xt + 16), a1);
                    a2 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(xt + 32), a2);
                    a3 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(xt + 48), a3);
                }
                a0.Store(tile); a1.Store(tile + 16); a2.Store(tile + 32); a3.Store(tile + 48);
                Store(in p, tile, c, 64, o);
            }
        for (; c < p.Stride; c += 16)
            for (int o = first; o < end; o++)
            {
                Vector512<float> a0 = default;
                for (int u = p.RowStarts[o]; u < p.RowStarts[o + 1]; u++)
                    a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(p.Values[u]), Vector512.Load(p.Transposed + p.ColumnIndices[u] * stride + c), a0);
                a0.Store(tile);
                Store(in p, tile, c, 16, o);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Csr256(in SparseProblem p, int first, int end)
    {
        float* tile = stackalloc float[32];
        nint stride = p.Stride;
        int c = 0;
        for (; c + 32 <= p.Stride; c += 32)
            for (int o = first; o < end; o++)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int u = p.RowStarts[o]; u < p.RowStarts[o + 1]; u++)
                {
                    Vector256<float> w = Vector256.Create(p.Values[u]);
                    float* xt = p.Transposed + p.ColumnIndices[u] * stride + c;
                    a0 = Fma.MultiplyAdd(w, Vector256.Load(xt), a0);
                    a1 = Fma.MultiplyAdd(w, Vector256.Load(xt + 8), a1);
                    a2 = Fma.MultiplyAdd(w, Vector256.Load(xt + 16), a2);
                    a3 = Fma.MultiplyAdd(w, Vector256.Load(xt + 24), a3);
                }
                a0.Store(tile); a1.Store(tile + 8); a2.Store(tile + 16); a3.Store(tile + 24);
                Store(in p, tile, c, 32, o);
            }
        for (; c < p.Stride; c += 8)
            for (int o = first; o < end; o++)
            {
                Vector256<float> a0 = default;
                for (int u = p.RowStarts[o]; u < p.RowStarts[o + 1]; u++)
                    a0 = Fma.MultiplyAdd(Vector256.Create(p.Values[u]), Vector256.Load(p.Transposed + p.ColumnIndices[u] * stride + c), a0);
                a0.Store(tile);
                Store(in p, tile, c, 8, o);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked512(in SparseProblem p, int first, int end)
    {
        float* tile = stackalloc float[8 * 16];
        nint stride = p.Stride;
        for (int c = 0; c < p.Stride; c += 16)
            for (int r = first; r < end; r++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int u = p.RowStarts[r]; u < p.RowStarts[r + 1]; u++)
                {
                    Vector512<float> xv = Vector512.Load(p.Transposed + p.ColumnIndices[u] * stride + c);
                    float* w = p.Values + u * 8;
                    a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[0]), xv, a0);
                    a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[1]), xv, a1);
                    a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[2]), xv, a2);
                    a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[3]), xv, a3);
                    a4 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[4]), xv, a4);
                    a5 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[5]), xv, a5);
                    a6 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[6]), xv, a6);
                    a7 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[7]), xv, a7);
                }
                a0.Store(tile); a1.Store(tile + 16); a2.Store(tile + 32); a3.Store(tile + 48);
                a4.Store(tile + 64); a5.Store(tile + 80); a6.Store(tile + 96); a7.Store(tile + 112);
                for (int i = 0; i < 8 && r * 8 + i < p.Rows; i++) Store(in p, tile + i * 16, c, 16, r * 8 + i);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked256(in SparseProblem p, int first, int end)
    {
        float* tile = stackalloc float[8 * 8];
        nint stride = p.Stride;
        for (int c = 0; c < p.Stride; c += 8)
            for (int r = first; r < end; r++)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int u = p.RowStarts[r]; u < p.RowStarts[r + 1]; u++)
                {
                    Vector256<float> xv = Vector256.Load(p.Transposed + p.ColumnIndices[u] * stride + c);
                    float* w = p.Values + u * 8;
                    a0 = Fma.MultiplyAdd(Vector256.Create(w[0]), xv, a0);
                    a1 = Fma.MultiplyAdd(Vector256.Create(w[1]), xv, a1);
                    a2 = Fma.MultiplyAdd(Vector256.Create(w[2]), xv, a2);
                    a3 = Fma.MultiplyAdd(Vector256.Create(w[3]), xv, a3);
                    a4 = Fma.MultiplyAdd(Vector256.Create(w[4]), xv, a4);
                    a5 = Fma.MultiplyAdd(Vector256.Create(w[5]), xv, a5);
                    a6 = Fma.MultiplyAdd(Vector256.Create(w[6]), xv, a6);
                    a7 = Fma.MultiplyAdd(Vector256.Create(w[7]), xv, a7);
                }
                a0.Store(tile); a1.Store(tile + 8); a2.Store(tile + 16); a3.Store(tile + 24);
                a4.Store(tile + 32); a5.Store(tile + 40); a6.Store(tile + 48); a7.Store(tile + 56);
                for (int i = 0; i < 8 && r * 8 + i < p.Rows; i++) Store(in p, tile + i * 8, c, 8, r * 8 + i);
            }
    }
}
