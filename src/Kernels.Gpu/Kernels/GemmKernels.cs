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
/// <item><see cref="RegisterBlocked"/>: the fast one. A group of T×T threads owns a (T·R)×(T·R) tile of C and
/// each thread R×R elements of it, kept in registers: per step of K (T deep) a thread reads R values of A and R of B
/// from shared memory and does R² multiply-adds with them, so shared-memory traffic per product falls by R and there
/// are R² independent accumulators to hide latency (R = 4, unrolled by hand into scalars); the next step's tiles are
/// loaded from global memory while this one is computed (double buffering). Grid: (⌈N/(T·R)⌉, ⌈M/(T·R)⌉) groups.</item>
/// <item><see cref="RegisterBlocked8"/>: the same with R = 8, for products with enough 128×128 tiles to fill the GPU.</item>
/// <item><see cref="RegisterBlockedSlices"/> and <see cref="SumSlices"/>: the R = 4 kernel over slices of K, then the
/// slices added in order, for products with too few tiles (GpuCompute.ChooseGemm picks among the three).</item>
/// </list>
/// X runs along the columns of C so that neighbouring threads read neighbouring elements of B and write
/// neighbouring elements of C; in the blocked kernels a thread's R columns are runs of four (4·tx…4·tx + 3, and 4T
/// further on for R = 8), so the T threads of a row read 4T consecutive floats of a shared tile as 16-byte loads.
/// Each element sums over k in increasing order (the split form: within each slice, then the slices in order).
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

    // Shared memory: two buffers, each the op(A) tile then the op(B) tile, both k-major with rows padded by four floats
    // (X[k·(tile + 4) + i], T rows of tile + 4). A thread's R rows and R columns of C are runs of four (rows 4·ty…4·ty + 3,
    // then 4T further on for R = 8; the same with tx for columns), so at each k it reads its values of op(A) and op(B) as
    // 16-byte loads (the dynamic shared memory is declared as Row4 so that ILGPU knows them aligned and emits
    // ld.shared.v4.f32): R/2 loads for R² multiply-adds. The step along K is T, so a thread stages exactly R values of
    // each operand per step (T·R·T values over T² threads) in a fixed pattern with no division (OperandTile). The step
    // k0 + T is read from global memory into registers before the step k0 is computed from shared memory, and stored
    // into the other buffer after it: the loads' latency hides behind the multiply-adds, and one barrier per step
    // suffices (a buffer is written only after the barrier that ends every thread's reads of it). The accumulators are
    // Row4 values, scalars that ILGPU keeps in registers; an array from LocalMemory indexed in a loop would be an
    // alloca the PTX compiler must unroll and promote, or spill to local memory.
    public static void RegisterBlocked(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s) =>
        Block4(SharedMemory.GetDynamic<Row4>(), c, a, b, bias, s, Grid.IdxY * Group.DimX * 4, Grid.IdxX * Group.DimX * 4, 0, s.K);

    // Split K: group (x, y, z) computes RegisterBlocked's tile (x, y) over the slice [z·L, min(K, (z + 1)·L)) of K
    // alone, into partials[z·M·N…] (s: α 1, β 0, no bias or ReLU), for SumSlices to add up: a product with too few
    // tiles to fill the GPU (a batch of 128 rows by a layer's outputs) gets as many groups as it needs. Each slice sums
    // its k in increasing order.
    public static void RegisterBlockedSlices(ArrayView<float> partials, ArrayView<float> a, ArrayView<float> b, GemmShape s, int sliceLength)
    {
        int z = Grid.IdxZ, kBegin = z * sliceLength, tile = Group.DimX * 4;
        Block4(SharedMemory.GetDynamic<Row4>(), partials.SubView(z * s.M * s.N, s.M * s.N), a, b, default, s,
            Grid.IdxY * tile, Grid.IdxX * tile, kBegin, XMath.Min(s.K, kBegin + sliceLength));
    }

    // C = epilogue(Σ over the slices z in increasing order of partials[z·M·N + i]) for each element i of C: the second
    // launch of a split product (one thread per element).
    public static void SumSlices(Index1D i, ArrayView<float> c, ArrayView<float> partials, ArrayView<float> bias, GemmShape s, int slices)
    {
        int size = s.M * s.N;
        float sum = partials[i];
        for (int z = 1; z < slices; z++) sum += partials[z * size + i];
        c[i] = Epilogue(c[i], sum, bias, i % s.N, s);
    }

    // Two independent products in one launch (a layer's dX and dW in backward): groups [0, firstGroups) of a 1-D grid
    // take the first C's tiles, the others the second's, row by row of tiles, each computed as RegisterBlocked computes
    // it, so every element has the bits of its own call. The branch is the same for a whole group.
    public static void RegisterBlockedPair(GemmOperands first, GemmShape s1, GemmOperands second, GemmShape s2, int firstGroups)
    {
        var shared = SharedMemory.GetDynamic<Row4>();
        int g = Grid.IdxX, tile = Group.DimX * 4;
        if (g < firstGroups)
        {
            int tilesN = (s1.N + tile - 1) / tile;
            Block4(shared, first.C, first.A, first.B, first.Bias, s1, g / tilesN * tile, g % tilesN * tile, 0, s1.K);
        }
        else
        {
            g -= firstGroups;
            int tilesN = (s2.N + tile - 1) / tile;
            Block4(shared, second.C, second.A, second.B, second.Bias, s2, g / tilesN * tile, g % tilesN * tile, 0, s2.K);
        }
    }

    // One group's (4T)×(4T) block of C from (row0, col0), summed over k in [kBegin, kEnd): the register-blocked body.
    // Offsets in Row4 units end in 4.
    private static void Block4(ArrayView<Row4> shared4, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias,
        GemmShape s, int row0, int col0, int kBegin, int kEnd)
    {
        var shared = shared4.Cast<float>();
        int t = Group.DimX, tx = Group.IdxX, ty = Group.IdxY, stride = t * 4 + 4, stride4 = t + 1, half = 2 * t * stride;
        var la = OperandTile.OfA(s, row0, kEnd);
        var lb = OperandTile.OfB(s, col0, kEnd);
        Stage(shared, 0, stride, la, la.Load4(a, kBegin), lb, lb.Load4(b, kBegin));
        Group.Barrier();
        Row4 c0 = default, c1 = default, c2 = default, c3 = default;
        for (int k0 = kBegin, buffer = 0; k0 < kEnd; k0 += t, buffer ^= half)
        {
            bool more = k0 + t < kEnd;
            Row4 nextA = more ? la.Load4(a, k0 + t) : default, nextB = more ? lb.Load4(b, k0 + t) : default;
            int ak = buffer / 4 + ty, bk = buffer / 4 + t * stride4 + tx;
            for (int k = 0; k < t; k++, ak += stride4, bk += stride4)
            {
                Row4 av = shared4[ak], bv = shared4[bk];
                c0 = c0.Fma(av.C0, bv);
                c1 = c1.Fma(av.C1, bv);
                c2 = c2.Fma(av.C2, bv);
                c3 = c3.Fma(av.C3, bv);
            }
            if (more) Stage(shared, half - buffer, stride, la, nextA, lb, nextB);
            Group.Barrier();
        }
        int r = row0 + 4 * ty, j = col0 + 4 * tx;
        Store(c, bias, s, r, j, c0);
        Store(c, bias, s, r + 1, j, c1);
        Store(c, bias, s, r + 2, j, c2);
        Store(c, bias, s, r + 3, j, c3);
    }

    // RegisterBlocked with R = 8: a (8T)×(8T) tile per group (128×128 on a GPU), 64 accumulators per thread in eight
    // Row8 values, 64 multiply-adds per four 16-byte shared-memory reads — the proportions of the fast CUDA SGEMMs
    // (128×128 tiles, 8×8 per thread). Fewer groups than the 4×4 kernel on small products (a 128×1200 layer is 10).
    public static void RegisterBlocked8(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s)
    {
        var shared4 = SharedMemory.GetDynamic<Row4>();
        var shared = shared4.Cast<float>();
        int t = Group.DimX, tx = Group.IdxX, ty = Group.IdxY, tile = t * 8, stride = tile + 4, stride4 = 2 * t + 1, half = 2 * t * stride;
        int row0 = Grid.IdxY * tile, col0 = Grid.IdxX * tile;
        var la = OperandTile.OfA(s, row0, s.K);
        var lb = OperandTile.OfB(s, col0, s.K);
        Stage(shared, 0, stride, la, la.Load8(a, 0), lb, lb.Load8(b, 0));
        Group.Barrier();
        Row8 c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int k0 = 0, buffer = 0; k0 < s.K; k0 += t, buffer ^= half)
        {
            bool more = k0 + t < s.K;
            Row8 nextA = more ? la.Load8(a, k0 + t) : default, nextB = more ? lb.Load8(b, k0 + t) : default;
            int ak = buffer / 4 + ty, bk = buffer / 4 + t * stride4 + tx;
            for (int k = 0; k < t; k++, ak += stride4, bk += stride4)
            {
                Row4 low = shared4[ak], high = shared4[ak + t];
                var bv = new Row8(shared4[bk], shared4[bk + t]);
                c0 = c0.Fma(low.C0, bv);
                c1 = c1.Fma(low.C1, bv);
                c2 = c2.Fma(low.C2, bv);
                c3 = c3.Fma(low.C3, bv);
                c4 = c4.Fma(high.C0, bv);
                c5 = c5.Fma(high.C1, bv);
                c6 = c6.Fma(high.C2, bv);
                c7 = c7.Fma(high.C3, bv);
            }
            if (more) Stage(shared, half - buffer, stride, la, nextA, lb, nextB);
            Group.Barrier();
        }
        int r = row0 + 4 * ty, j = col0 + 4 * tx;
        Store(c, bias, s, r, j, t, c0);
        Store(c, bias, s, r + 1, j, t, c1);
        Store(c, bias, s, r + 2, j, t, c2);
        Store(c, bias, s, r + 3, j, t, c3);
        Store(c, bias, s, r + 4 * t, j, t, c4);
        Store(c, bias, s, r + 4 * t + 1, j, t, c5);
        Store(c, bias, s, r + 4 * t + 2, j, t, c6);
        Store(c, bias, s, r + 4 * t + 3, j, t, c7);
    }

    // Stores a step's values of both operands into the buffer at `offset`: op(A)'s tile, then op(B)'s T rows further on.
    private static void Stage(ArrayView<float> shared, int offset, int stride, OperandTile la, Row4 va, OperandTile lb, Row4 vb)
    {
        la.Store(shared, offset, stride, va);
        lb.Store(shared, offset + Group.DimX * stride, stride, vb);
    }

    private static void Stage(ArrayView<float> shared, int offset, int stride, OperandTile la, Row8 va, OperandTile lb, Row8 vb)
    {
        la.Store(shared, offset, stride, va);
        lb.Store(shared, offset + Group.DimX * stride, stride, vb);
    }

    // Four consecutive elements of row `row` from column `col`, each through the epilogue where inside C.
    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmShape s, int row, int col, Row4 acc)
    {
        if (row >= s.M) return;
        int at = row * s.N + col;
        if (col < s.N) c[at] = Epilogue(c[at], acc.C0, bias, col, s);
        if (col + 1 < s.N) c[at + 1] = Epilogue(c[at + 1], acc.C1, bias, col + 1, s);
        if (col + 2 < s.N) c[at + 2] = Epilogue(c[at + 2], acc.C2, bias, col + 2, s);
        if (col + 3 < s.N) c[at + 3] = Epilogue(c[at + 3], acc.C3, bias, col + 3, s);
    }

    // Row `row` of a thread's 8×8 block: its two runs of four, from columns col and col + 4t.
    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmShape s, int row, int col, int t, Row8 acc)
    {
        Store(c, bias, s, row, col, acc.Low);
        Store(c, bias, s, row, col + 4 * t, acc.High);
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

/// <summary>One GEMM's sizes and flags: op(A) is M×K, op(B) is K×N, C is M×N (flags as ints for the kernel).</summary>
internal readonly record struct GemmShape(int M, int N, int K, int TransposeA, int TransposeB, float Alpha, float Beta, int HasBias, int Relu);

/// <summary>
/// Where one thread of a T×T group reads its share of an operand tile (T values of k by R·T rows of op(A) or
/// columns of op(B)) in a register-blocked GEMM: its R values are (k0 + Kk, Start + Index + q·T) for q = 0…R−1. The
/// pattern follows the layout in memory so that a warp's loads are coalesced: where k is the contiguous index (A as
/// stored, Bᵀ as stored) consecutive threads take consecutive k (Kk = x, Index = y), otherwise consecutive rows or
/// columns (Kk = y, Index = x). Element (k, i) of the operand lies at k·KStride + i·IStride; Extent is M or N, KEnd
/// the end of the range of k summed (K, or a slice's end).
/// </summary>
internal readonly record struct OperandTile(int Kk, int Index, int Start, int Extent, int KEnd, int KStride, int IStride)
{
    /// <summary>op(A)'s pattern for the tile of rows from <paramref name="row0"/>.</summary>
    public static OperandTile OfA(GemmShape s, int row0, int kEnd) => s.TransposeA != 0
        ? new(Group.IdxY, Group.IdxX, row0, s.M, kEnd, s.M, 1)
        : new(Group.IdxX, Group.IdxY, row0, s.M, kEnd, 1, s.K);

    /// <summary>op(B)'s pattern for the tile of columns from <paramref name="col0"/>.</summary>
    public static OperandTile OfB(GemmShape s, int col0, int kEnd) => s.TransposeB != 0
        ? new(Group.IdxX, Group.IdxY, col0, s.N, kEnd, 1, s.K)
        : new(Group.IdxY, Group.IdxX, col0, s.N, kEnd, s.N, 1);

    /// <summary>This thread's value q of the step from <paramref name="k0"/>, 0 past the operand's edges and KEnd.</summary>
    public float Load(ArrayView<float> x, int k0, int q)
    {
        int k = k0 + Kk, i = Start + Index + q * Group.DimX;
        return k < KEnd && i < Extent ? x[k * KStride + i * IStride] : 0f;
    }

    /// <summary>Values q = 0…3 of the step from <paramref name="k0"/>.</summary>
    public Row4 Load4(ArrayView<float> x, int k0) => new(Load(x, k0, 0), Load(x, k0, 1), Load(x, k0, 2), Load(x, k0, 3));

    /// <summary>Values q = 0…7 of the step from <paramref name="k0"/>.</summary>
    public Row8 Load8(ArrayView<float> x, int k0) =>
        new(Load4(x, k0), new Row4(Load(x, k0, 4), Load(x, k0, 5), Load(x, k0, 6), Load(x, k0, 7)));

    /// <summary>Stores values q = 0…3 (from q0) into the shared tile at <paramref name="offset"/>, rows of <paramref name="stride"/>.</summary>
    public void Store(ArrayView<float> shared, int offset, int stride, Row4 v, int q0 = 0)
    {
        int t = Group.DimX, at = offset + Kk * stride + Index + q0 * t;
        shared[at] = v.C0;
        shared[at + t] = v.C1;
        shared[at + 2 * t] = v.C2;
        shared[at + 3 * t] = v.C3;
    }

    /// <summary>Stores values q = 0…7 into the shared tile at <paramref name="offset"/>.</summary>
    public void Store(ArrayView<float> shared, int offset, int stride, Row8 v)
    {
        Store(shared, offset, stride, v.Low);
        Store(shared, offset, stride, v.High, 4);
    }
}
