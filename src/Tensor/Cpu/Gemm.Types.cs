using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

// The types the GEMM driver (Gemm.cs) shares with its micro-kernels and packing routines.

/// <summary>A GEMM call as the kernels see it: sizes, pinned operands, scalars, epilogue, path and partition.</summary>
internal unsafe struct Problem
{
    public int M, N, K;
    public float* A, B, C, Bias;
    public bool TransposeA, TransposeB, Relu;
    public float Alpha, Beta;
    public KernelPath Path;
    public int Tasks;
    /// <summary>The output is split along N (else along M) into <see cref="Tasks"/> shares.</summary>
    public bool SplitN;
    /// <summary>M/N and A/B have been exchanged: the kernels compute Cᵀ = op(B)ᵀ·op(A)ᵀ into C.</summary>
    public bool Swapped;
}

/// <summary>How a finished tile of α·op(A)·op(B) (one KC block of it) goes into C.</summary>
internal enum TileMode
{
    /// <summary>C = tile (first K block, β = 0: the old C is not read).</summary>
    Overwrite,
    /// <summary>C = tile + C (later K blocks, or β = 1).</summary>
    Accumulate,
    /// <summary>C = tile + β·C, one rounding (first K block, other β).</summary>
    Scale,
}

/// <summary>The store step of a micro-kernel call: the mode, β, and on the last K block the bias and ReLU.</summary>
internal unsafe struct TileUpdate
{
    public TileMode Mode;
    public float Beta;
    /// <summary>The bias of the tile's first column (first row when the output is transposed), or null (no bias, or
    /// not the last K block).</summary>
    public float* Bias;
    public bool Relu;
}

/// <summary>A micro-kernel with its register tile and packing routines (one per kernel path); its cache blocking
/// follows from the tile and the machine's caches (<see cref="GemmBlocking{TKernel}"/>).</summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the register tile (the A micro-panel's width).</summary>
    static abstract int MR { get; }
    /// <summary>Columns of the register tile (the B micro-panel's width).</summary>
    static abstract int NR { get; }
    /// <summary>The smallest tile height the kernel runs without idle lanes (its row variants step by it); task
    /// shares of M are multiples of it.</summary>
    static abstract int TileStepM { get; }
    /// <summary>The smallest tile width the kernel runs without idle lanes; task shares of N are multiples of it.</summary>
    static abstract int TileStepN { get; }

    /// <summary>
    /// C[i, j] ← update(Σ_p a[p·MR + i]·b[p·ldb + j]) over kc steps, for i &lt; rows ≤ MR and j &lt; cols ≤ NR: a is a
    /// packed A micro-panel, b a packed B micro-panel (ldb = NR) or B itself (ldb = its row stride, full panels
    /// only); c has row stride ldc. Elements outside rows × cols are not touched.
    /// </summary>
    static abstract void Multiply(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols, TileUpdate* update);

    /// <summary>
    /// Packs rows × kc of op(A) into ⌈rows / MR⌉ MR-wide micro-panels of kc steps each (zero rows pad the last).
    /// alongK: each row is contiguous along K in memory (A stored M×K), else each step's rows are (A stored K×M).
    /// </summary>
    static abstract void PackA(float* src, nint ld, bool alongK, int rows, int kc, float* dst);

    /// <summary>
    /// Packs kc × cols of α·op(B) into ⌈cols / NR⌉ NR-wide micro-panels of kc steps each (zero columns pad the
    /// last). alongK: each column is contiguous along K (B stored N×K, read transposed), else each step's columns
    /// are (B stored K×N).
    /// </summary>
    static abstract void PackB(float* src, nint ld, bool alongK, int cols, int kc, float* dst, float alpha);
}

/// <summary>A compile-time integer for specializing a generic kernel (the JIT folds it per struct).</summary>
internal interface IConstant
{
    static abstract int Count { get; }
}

/// <summary>A compile-time flag for specializing a generic kernel.</summary>
internal interface IFlag
{
    static abstract bool Two { get; }
}

internal readonly struct Rows2 : IConstant { public static int Count => 2; }
internal readonly struct Rows3 : IConstant { public static int Count => 3; }
internal readonly struct Rows4 : IConstant { public static int Count => 4; }
internal readonly struct Rows6 : IConstant { public static int Count => 6; }
internal readonly struct Rows8 : IConstant { public static int Count => 8; }
internal readonly struct Rows10 : IConstant { public static int Count => 10; }
internal readonly struct Rows12 : IConstant { public static int Count => 12; }
internal readonly struct Steps0 : IConstant { public static int Count => 0; }
internal readonly struct Steps8 : IConstant { public static int Count => 8; }
internal readonly struct OneVector : IFlag { public static bool Two => false; }
internal readonly struct TwoVectors : IFlag { public static bool Two => true; }

/// <summary>The scalar tile update, used for partial tiles of every path and for every tile of the scalar path.</summary>
internal static unsafe class GemmTile
{
    /// <summary>
    /// C[i, j] ← update(tile[i·ldt + j]) for i &lt; rows, j &lt; cols. The operations and their order are those of the
    /// vector kernels' in-register update (add; fused β multiply-add; bias add; max(0, v) keeping NaN and −0), so
    /// a value does not depend on whether its tile was full.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Merge(float* tile, nint ldt, float* c, nint ldc, int rows, int cols, TileUpdate* update)
    {
        for (int i = 0; i < rows; i++, tile += ldt, c += ldc)
            for (int j = 0; j < cols; j++)
            {
                float v = tile[j];
                if (update->Mode == TileMode.Accumulate) v += c[j];
                else if (update->Mode == TileMode.Scale) v = MathF.FusedMultiplyAdd(c[j], update->Beta, v);
                if (update->Bias != null) v += update->Bias[j];
                if (update->Relu) v = 0f > v ? 0f : v;
                c[j] = v;
            }
    }

    /// <summary>
    /// C[j·ldc + i] ← update(tile[i·ldt + j]) with the bias indexed by i: the tile is a block of Cᵀ (see
    /// <see cref="Problem.Swapped"/>). Same operations as <see cref="Merge"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MergeTransposed(float* tile, nint ldt, float* c, nint ldc, int rows, int cols, TileUpdate* update)
    {
        for (int i = 0; i < rows; i++, tile += ldt, c++)
        {
            float bias = update->Bias != null ? update->Bias[i] : 0f;
            for (int j = 0; j < cols; j++)
            {
                float v = tile[j];
                float* cji = c + j * ldc;
                if (update->Mode == TileMode.Accumulate) v += *cji;
                else if (update->Mode == TileMode.Scale) v = MathF.FusedMultiplyAdd(*cji, update->Beta, v);
                if (update->Bias != null) v += bias;
                if (update->Relu) v = 0f > v ? 0f : v;
                *cji = v;
            }
        }
    }
}
