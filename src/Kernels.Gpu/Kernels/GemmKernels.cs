using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// C = α·op(A)·op(B) + β·C, then + bias per column and ReLU — the CPU's Cpu/Gemm.Reference.cs contract.
/// Versions:
/// <list type="bullet">
/// <item><see cref="Tiled"/>: the readable one. A group of T×T threads owns a T×T tile of C, one element per thread;
/// each step of K stages a T×T tile of op(A) and of op(B) in shared memory (2·T² floats, dynamic), so every element
/// of A and B is read from global memory once per tile instead of once per product. Grid: (⌈N/T⌉, ⌈M/T⌉) groups.</item>
/// <item><see cref="RegisterBlocked"/>: the one that runs. A group of T×T threads owns a (T·R)×(T·R) tile of C and
/// each thread R×R elements of it, kept in registers: per step of K (D ≥ T deep) a thread reads R values of A and R of B
/// from shared memory and does R² multiply-adds with them, so shared-memory traffic per product falls by R and there
/// are R² independent accumulators to hide latency (R = 4, unrolled by hand into scalars). Grid: (⌈N/(T·R)⌉, ⌈M/(T·R)⌉) groups.</item>
/// <item><see cref="RegisterBlocked8"/>: the same with R = 8, beside it until a GPU has measured which shapes it wins.</item>
/// </list>
/// X runs along the columns of C so that neighbouring threads read neighbouring elements of B and write
/// neighbouring elements of C; in the blocked kernel a thread's R rows and R columns are T apart (rows ty + u·T,
/// columns tx + v·T), so the T threads of a row read T consecutive floats of a shared tile, and the op(A) tile's rows
/// are padded by one float so that its transposing stores fall in distinct banks — no bank conflicts.
/// Both sum over k in increasing order.
/// </summary>
internal static class GemmKernels
{
    public static void Tiled(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s)
    {
        var tiles = SharedMemory.GetDynamic<float>();
        int t = Group.DimX, tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * t + ty, col = Grid.IdxX * t + tx, bTile = t * t;
        float acc = 0f;
        for (int k0 = 0; k0 < s.K; k0 += t)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tiles[ty * t + tx] = row < s.M && ka < s.K ? a[s.TransposeA != 0 ? ka * s.M + row : row * s.K + ka] : 0f;
            tiles[bTile + ty * t + tx] = kb < s.K && col < s.N ? b[s.TransposeB != 0 ? col * s.K + kb : kb * s.N + col] : 0f;
            Group.Barrier();
            for (int k = 0; k < t; k++) acc += tiles[ty * t + k] * tiles[bTile + k * t + tx];
            Group.Barrier();
        }
        if (row < s.M && col < s.N) c[row * s.N + col] = Epilogue(c[row * s.N + col], acc, bias, col, s);
    }

    // Shared memory: the op(A) tile k-major (As[k·(tile+1) + i], D rows of tile + 1: the pad puts the D consecutive k
    // that consecutive threads store in different banks) then the op(B) tile (Bs[k·tile + j], D×tile), D = s.Depth ≥ T
    // the step along K: a deeper step means fewer barriers, which matters where a barrier is dear (ILGPU's CPU
    // accelerator, T = 4). The 4×4 accumulators are four Row4 values, scalars that ILGPU keeps in registers; an array
    // from LocalMemory indexed in a loop would be an alloca the PTX compiler must unroll and promote, or spill to
    // local memory.
    public static void RegisterBlocked(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s) =>
        Block4(SharedMemory.GetDynamic<float>(), c, a, b, bias, s, Grid.IdxY * Group.DimX * 4, Grid.IdxX * Group.DimX * 4);

    // Two independent products in one launch (a layer's dX and dW in backward): groups [0, firstGroups) of a 1-D grid
    // take the first C's tiles, the others the second's, row by row of tiles, each computed as RegisterBlocked computes
    // it, so every element has the bits of its own call. The branch is the same for a whole group.
    public static void RegisterBlockedPair(GemmOperands first, GemmShape s1, GemmOperands second, GemmShape s2, int firstGroups)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int g = Grid.IdxX, tile = Group.DimX * 4;
        if (g < firstGroups)
        {
            int tilesN = (s1.N + tile - 1) / tile;
            Block4(shared, first.C, first.A, first.B, first.Bias, s1, g / tilesN * tile, g % tilesN * tile);
        }
        else
        {
            g -= firstGroups;
            int tilesN = (s2.N + tile - 1) / tile;
            Block4(shared, second.C, second.A, second.B, second.Bias, s2, g / tilesN * tile, g % tilesN * tile);
        }
    }

    // One group's (4T)×(4T) block of C from (row0, col0): the register-blocked body.
    private static void Block4(ArrayView<float> shared, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias,
        GemmShape s, int row0, int col0)
    {
        int t = Group.DimX, tx = Group.IdxX, ty = Group.IdxY, tile = t * 4, aStride = tile + 1, bTile = s.Depth * aStride;
        Row4 c0 = default, c1 = default, c2 = default, c3 = default;
        for (int k0 = 0; k0 < s.K; k0 += s.Depth)
        {
            LoadTiles(shared, a, b, s, k0, tile, row0, col0);
            for (int k = 0; k < s.Depth; k++)
            {
                int ak = k * aStride + ty, bk = bTile + k * tile + tx;
                var bv = new Row4(shared[bk], shared[bk + t], shared[bk + 2 * t], shared[bk + 3 * t]);
                c0 = c0.Fma(shared[ak], bv);
                c1 = c1.Fma(shared[ak + t], bv);
                c2 = c2.Fma(shared[ak + 2 * t], bv);
                c3 = c3.Fma(shared[ak + 3 * t], bv);
            }
            Group.Barrier();
        }
        int r = row0 + ty, j = col0 + tx;
        Store(c, bias, s, r, j, t, c0);
        Store(c, bias, s, r + t, j, t, c1);
        Store(c, bias, s, r + 2 * t, j, t, c2);
        Store(c, bias, s, r + 3 * t, j, t, c3);
    }

    // RegisterBlocked with R = 8: a (8T)×(8T) tile per group (128×128 on a GPU), 64 accumulators per thread in eight
    // Row8 values, 64 multiply-adds per 16 shared-memory reads — the proportions of the fast CUDA SGEMMs (cuBLAS-like
    // 128×128 tiles, 8×8 per thread). Fewer groups than the 4×4 kernel on small products (a 128×1200 layer is 10).
    public static void RegisterBlocked8(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int t = Group.DimX, tx = Group.IdxX, ty = Group.IdxY, tile = t * 8, aStride = tile + 1, bTile = s.Depth * aStride;
        int row0 = Grid.IdxY * tile, col0 = Grid.IdxX * tile;
        Row8 c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int k0 = 0; k0 < s.K; k0 += s.Depth)
        {
            LoadTiles(shared, a, b, s, k0, tile, row0, col0);
            for (int k = 0; k < s.Depth; k++)
            {
                int ak = k * aStride + ty, bk = bTile + k * tile + tx;
                var bv = new Row8(shared[bk], shared[bk + t], shared[bk + 2 * t], shared[bk + 3 * t],
                    shared[bk + 4 * t], shared[bk + 5 * t], shared[bk + 6 * t], shared[bk + 7 * t]);
                c0 = c0.Fma(shared[ak], bv);
                c1 = c1.Fma(shared[ak + t], bv);
                c2 = c2.Fma(shared[ak + 2 * t], bv);
                c3 = c3.Fma(shared[ak + 3 * t], bv);
                c4 = c4.Fma(shared[ak + 4 * t], bv);
                c5 = c5.Fma(shared[ak + 5 * t], bv);
                c6 = c6.Fma(shared[ak + 6 * t], bv);
                c7 = c7.Fma(shared[ak + 7 * t], bv);
            }
            Group.Barrier();
        }
        int r = row0 + ty, j = col0 + tx;
        Store(c, bias, s, r, j, t, c0);
        Store(c, bias, s, r + t, j, t, c1);
        Store(c, bias, s, r + 2 * t, j, t, c2);
        Store(c, bias, s, r + 3 * t, j, t, c3);
        Store(c, bias, s, r + 4 * t, j, t, c4);
        Store(c, bias, s, r + 5 * t, j, t, c5);
        Store(c, bias, s, r + 6 * t, j, t, c6);
        Store(c, bias, s, r + 7 * t, j, t, c7);
    }

    // Stages step k0's op(A) and op(B) tiles of a tile×tile block of C (the layout above) in shared memory, zeros past
    // the edges, and waits for the group. Consecutive threads read consecutive k of A (row-major A) and consecutive
    // columns of B: coalesced loads of the untransposed forms.
    private static void LoadTiles(ArrayView<float> shared, ArrayView<float> a, ArrayView<float> b, GemmShape s, int k0, int tile, int row0, int col0)
    {
        int t = Group.DimX, depth = s.Depth, aStride = tile + 1, bTile = depth * aStride;
        for (int e = Group.IdxY * t + Group.IdxX; e < depth * tile; e += t * t)
        {
            int i = e / depth, ka = k0 + e % depth, row = row0 + i;
            shared[e % depth * aStride + i] = row < s.M && ka < s.K ? a[s.TransposeA != 0 ? ka * s.M + row : row * s.K + ka] : 0f;
            int kb = k0 + e / tile, col = col0 + e % tile;
            shared[bTile + e] = kb < s.K && col < s.N ? b[s.TransposeB != 0 ? col * s.K + kb : kb * s.N + col] : 0f;
        }
        Group.Barrier();
    }

    // Row `row` of a thread's block: columns col, col + t, col + 2t, col + 3t, each through the epilogue where inside C.
    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmShape s, int row, int col, int t, Row4 acc)
    {
        if (row >= s.M) return;
        if (col < s.N) c[row * s.N + col] = Epilogue(c[row * s.N + col], acc.C0, bias, col, s);
        if (col + t < s.N) c[row * s.N + col + t] = Epilogue(c[row * s.N + col + t], acc.C1, bias, col + t, s);
        if (col + 2 * t < s.N) c[row * s.N + col + 2 * t] = Epilogue(c[row * s.N + col + 2 * t], acc.C2, bias, col + 2 * t, s);
        if (col + 3 * t < s.N) c[row * s.N + col + 3 * t] = Epilogue(c[row * s.N + col + 3 * t], acc.C3, bias, col + 3 * t, s);
    }

    // Row `row` of a thread's 8×8 block: its two halves, columns col + v·t for v = 0–3 and 4–7.
    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmShape s, int row, int col, int t, Row8 acc)
    {
        Store(c, bias, s, row, col, t, acc.Low);
        Store(c, bias, s, row, col + 4 * t, t, acc.High);
    }

    // α·acc + β·c (c ignored when β = 0), + bias[col], then ReLU.
    private static float Epilogue(float old, float acc, ArrayView<float> bias, int col, GemmShape s)
    {
        float v = s.Beta == 0f ? s.Alpha * acc : s.Alpha * acc + s.Beta * old;
        if (s.HasBias != 0) v += bias[col];
        return s.Relu != 0 && !(v > 0f) && !XMath.IsNaN(v) ? 0f : v; // max(v, 0), NaN kept as the CPU's
    }
}

/// <summary>
/// Four accumulators of one row of a thread's block in <see cref="GemmKernels.RegisterBlocked"/> (or four values of
/// op(B) along a row): plain scalar fields, which ILGPU's structure SSA keeps in registers.
/// </summary>
internal readonly record struct Row4(float C0, float C1, float C2, float C3)
{
    /// <summary>This + a·b, element by element, each a multiply-add summing over k in increasing order.</summary>
    public Row4 Fma(float a, Row4 b) => new(C0 + a * b.C0, C1 + a * b.C1, C2 + a * b.C2, C3 + a * b.C3);
}

/// <summary>
/// Eight accumulators of one row of a thread's 8×8 block in <see cref="GemmKernels.RegisterBlocked8"/> (or eight values
/// of op(B)), as two <see cref="Row4"/> halves of scalar fields.
/// </summary>
internal readonly record struct Row8(Row4 Low, Row4 High)
{
    /// <summary>Eight values, in order.</summary>
    public Row8(float c0, float c1, float c2, float c3, float c4, float c5, float c6, float c7)
        : this(new Row4(c0, c1, c2, c3), new Row4(c4, c5, c6, c7))
    {
    }

    /// <summary>This + a·b, element by element.</summary>
    public Row8 Fma(float a, Row8 b) => new(Low.Fma(a, b.Low), High.Fma(a, b.High));
}

/// <summary>The views of one product of <see cref="GemmKernels.RegisterBlockedPair"/>: C, op's operands and the bias.</summary>
internal readonly record struct GemmOperands(ArrayView<float> C, ArrayView<float> A, ArrayView<float> B, ArrayView<float> Bias);

/// <summary>
/// One GEMM's sizes and flags: op(A) is M×K, op(B) is K×N, C is M×N (flags as ints for the kernel); Depth is the
/// register-blocked kernel's step along K.
/// </summary>
internal readonly record struct GemmShape(int M, int N, int K, int TransposeA, int TransposeB, float Alpha, float Beta, int HasBias, int Relu,
    int Depth = 0);
