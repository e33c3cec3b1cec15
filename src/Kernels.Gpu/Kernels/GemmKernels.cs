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
/// are R² independent accumulators to hide latency. Grid: (⌈N/(T·R)⌉, ⌈M/(T·R)⌉) groups.</item>
/// </list>
/// X runs along the columns of C so that neighbouring threads read neighbouring elements of B and write
/// neighbouring elements of C; in the blocked kernel a thread's R rows and R columns are T apart (rows ty + u·T,
/// columns tx + v·T), so the T threads of a row read T consecutive floats of a shared tile — no bank conflicts.
/// Both sum over k in increasing order.
/// </summary>
internal static class GemmKernels
{
    /// <summary>R: the rows and columns of C per thread in <see cref="RegisterBlocked"/>.</summary>
    internal const int Block = 4;

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

    // Shared memory: the op(A) tile k-major (As[k·tile + i], D×tile) then the op(B) tile (Bs[k·tile + j], D×tile), D =
    // s.Depth ≥ T the step along K: a deeper step means fewer barriers, which matters where a barrier is dear (ILGPU's
    // CPU accelerator, T = 4).
    public static void RegisterBlocked(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s)
    {
        var shared = SharedMemory.GetDynamic<float>();
        var acc = LocalMemory.Allocate<float>(Block * Block);
        int t = Group.DimX, tx = Group.IdxX, ty = Group.IdxY, tile = t * Block, depth = s.Depth, bTile = depth * tile;
        int row0 = Grid.IdxY * tile, col0 = Grid.IdxX * tile;
        for (int q = 0; q < Block * Block; q++) acc[q] = 0f;
        for (int k0 = 0; k0 < s.K; k0 += depth)
        {
            for (int e = ty * t + tx; e < bTile; e += t * t)
            {
                int i = e / depth, ka = k0 + e % depth, row = row0 + i;
                shared[e % depth * tile + i] = row < s.M && ka < s.K ? a[s.TransposeA != 0 ? ka * s.M + row : row * s.K + ka] : 0f;
                int kb = k0 + e / tile, col = col0 + e % tile;
                shared[bTile + e] = kb < s.K && col < s.N ? b[s.TransposeB != 0 ? col * s.K + kb : kb * s.N + col] : 0f;
            }
            Group.Barrier();
            for (int k = 0; k < depth; k++)
                for (int u = 0; u < Block; u++)
                {
                    float av = shared[k * tile + ty + u * t];
                    for (int v = 0; v < Block; v++) acc[u * Block + v] += av * shared[bTile + k * tile + tx + v * t];
                }
            Group.Barrier();
        }
        for (int u = 0; u < Block; u++)
            for (int v = 0; v < Block; v++)
            {
                int row = row0 + ty + u * t, col = col0 + tx + v * t;
                if (row < s.M && col < s.N) c[row * s.N + col] = Epilogue(c[row * s.N + col], acc[u * Block + v], bias, col, s);
            }
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
/// One GEMM's sizes and flags: op(A) is M×K, op(B) is K×N, C is M×N (flags as ints for the kernel); Depth is the
/// register-blocked kernel's step along K.
/// </summary>
internal readonly record struct GemmShape(int M, int N, int K, int TransposeA, int TransposeB, float Alpha, float Beta, int HasBias, int Relu,
    int Depth = 0);
