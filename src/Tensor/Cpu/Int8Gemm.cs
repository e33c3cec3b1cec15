using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>The instruction sets the int8 kernels can use; <see cref="Int8Gemm.PathFor"/> maps a <see cref="KernelPath"/> to one.</summary>
internal enum Int8Path
{
    /// <summary>Plain loops over the packed tiles.</summary>
    Scalar,
    /// <summary>256-bit vpmaddubsw → vpmaddwd → vpaddd (AVX2-only CPUs: Zen 3 and older).</summary>
    Avx2,
    /// <summary>256-bit vpdpbusd (AVX-VNNI: Alder Lake, Sapphire Rapids, Zen 5); replaces <see cref="Avx2"/> where present.</summary>
    AvxVnni,
    /// <summary>512-bit vpmaddubsw → vpmaddwd → vpaddd (every AVX-512BW CPU: .NET 10 has no 512-bit vpdpbusd).</summary>
    Avx512,
}

/// <summary>What one int8 product computes; pointers stay valid (pinned) for the whole call.</summary>
internal unsafe struct Int8Problem
{
    /// <summary>u8 activations, M rows of <see cref="AStride"/> bytes (a multiple of 4, ≥ 4·Groups).</summary>
    public byte* A;
    public int AStride, M, N, Groups, ZeroPoint;
    /// <summary>The packed tiles of <see cref="Int8LinearWeight"/>: tile (t, g) at t·Groups + g.</summary>
    public Int8Tile* Tiles;
    /// <summary>Σ_k q[n, k], padded to a multiple of 16.</summary>
    public int* RowSums;
    /// <summary>
    /// C [M, N] = Σ_k (a[m, k] − z)·q[n, k], rows <see cref="CStride"/> ints apart; CStride ≥ 16·⌈N/16⌉, so every
    /// kernel stores whole 16-column tiles and no store needs a partial path (values past N are scratch).
    /// </summary>
    public int* C;
    public int CStride;
    /// <summary>When not null, the float epilogue Y [M, N] = ScaleA·ScaleW[n]·C + Bias[n] (then ReLU) runs after C.</summary>
    public float* Y;
    public float* ScaleW, Bias;
    public float ScaleA;
    public bool Relu;
    /// <summary>
    /// When not null (and <see cref="Y"/> is), the requantizing epilogue Q [M, N] = clamp(round((ScaleA·ScaleW[n]·C +
    /// Bias[n])·InverseScaleQ) + ZeroPointQ, ReLU ? ZeroPointQ : 0, 255) runs after C, rows <see cref="QStride"/> bytes apart.
    /// </summary>
    public byte* Q;
    public int QStride, ZeroPointQ;
    public float InverseScaleQ;
}

/// <summary>
/// int8 GEMM/GEMV: C[m, n] = Σ_k (a[m, k] − z)·q[n, k] in int32, u8 activations a (zero point z) times the 7-bit
/// weights of an <see cref="Int8LinearWeight"/>, then optionally the float epilogue y = s_a·s_w[n]·C + b[n] (+ ReLU), or
/// the requantizing one that writes y as the next layer's u8 codes.
/// </summary>
/// <remarks>
/// Kernels (one file each): Int8Gemm.Reference.cs (the triple loop on unpacked weights, the truth), Int8Gemm.Scalar.cs
/// (plain loops over the packing), Int8Gemm.Avx2.cs (256-bit, and the AvxVnni GEMV), Int8Gemm.Avx512.cs (512-bit).
/// Integer sums are exact and the zero point is taken off as z·Σq with the row sums precomputed at quantization, so
/// every path and every split gives the same int32 bits. Work is split by 64-column shares (4 tiles), and by 4-row blocks when there
/// are fewer shares than threads, through <see cref="WorkerPool"/>; each task also runs the epilogue on its own part.
/// The loops (kernels, epilogues, Int8Activations) are compiled fully optimised at once (AggressiveOptimization), as
/// the fp32 and sparse kernels are: at tier 0 the vector helpers are calls, and an int8 784→1200 layer at batch 256 ran
/// 32–34 ms a call for its first calls against 2.5–3 ms once tiered up (Ice Lake, one process), which a short run (a
/// pipeline's int8 evaluation, `tinykd bench --quick`) never left.
/// </remarks>
internal static unsafe partial class Int8Gemm
{
    /// <summary>Below this many multiply-adds the product runs on one thread.</summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>Tiles per task share: four 16-column tiles, a multiple of every kernel's column block.</summary>
    private const int ShareTiles = 4;

    [ThreadStatic] private static Int8Job? t_job;

    /// <summary>The int8 path taken for <paramref name="path"/>: AvxVnni replaces the 256-bit path where the CPU has it.</summary>
    public static Int8Path PathFor(KernelPath path) => path switch
    {
        KernelPath.Avx512 => Int8Path.Avx512,
        KernelPath.Avx2 => AvxVnni.IsSupported ? Int8Path.AvxVnni : Int8Path.Avx2,
        _ => Int8Path.Scalar,
    };

    /// <summary>True when this CPU can run <paramref name="path"/>.</summary>
    public static bool IsSupported(Int8Path path) => path switch
    {
        Int8Path.Avx512 => CpuKernels.IsSupported(KernelPath.Avx512),
        Int8Path.AvxVnni => AvxVnni.IsSupported && CpuKernels.IsSupported(KernelPath.Avx2),
        Int8Path.Avx2 => CpuKernels.IsSupported(KernelPath.Avx2),
        _ => true,
    };

    public static void Run(Int8Path path, int threads, in Int8Problem p)
    {
        int tiles = (p.N + Int8Tile.Columns - 1) / Int8Tile.Columns, shares = (tiles + ShareTiles - 1) / ShareTiles;
        long work = (long)p.M * p.N * p.Groups * Int8Tile.Depth;
        if (work < ParallelThreshold || threads <= 1)
        {
            Tiles(path, in p, 0, tiles);
            return;
        }
        // Column shares first; when there are fewer shares than threads (a narrow layer such as 1200 → 10), rows
        // are split too, in blocks of 4 so the GEMM kernel's row blocks stay whole.
        int columnParts = Math.Min(threads, shares), rowBlocks = (p.M + 3) / 4;
        int rowParts = Math.Max(1, Math.Min(threads / columnParts, rowBlocks));
        Int8Job job = t_job ??= new Int8Job();
        job.Problem = p;
        job.Path = path;
        job.ColumnParts = columnParts;
        job.RowParts = rowParts;
        job.Shares = shares;
        job.TileCount = tiles;
        job.RowBlocks = rowBlocks;
        WorkerPool.Run(job, columnParts * rowParts);
        job.Problem = default;
    }

    private sealed class Int8Job : ParallelJob
    {
        public Int8Problem Problem;
        public Int8Path Path;
        public int ColumnParts, RowParts, Shares, TileCount, RowBlocks;

        public override void Execute(int task)
        {
            int column = task % ColumnParts, row = task / ColumnParts;
            int t0 = (int)((long)Shares * column / ColumnParts) * ShareTiles, t1 = (int)((long)Shares * (column + 1) / ColumnParts) * ShareTiles;
            int i0 = Math.Min((int)((long)RowBlocks * row / RowParts) * 4, Problem.M), i1 = Math.Min((int)((long)RowBlocks * (row + 1) / RowParts) * 4, Problem.M);
            Int8Problem rows = Problem;
            rows.M = i1 - i0;
            rows.A += (long)i0 * Problem.AStride;
            rows.C += (long)i0 * Problem.CStride;
            if (rows.Y != null) rows.Y += (long)i0 * Problem.N;
            if (rows.Q != null) rows.Q += (long)i0 * Problem.QStride;
            Tiles(Path, in rows, Math.Min(t0, TileCount), Math.Min(t1, TileCount));
        }
    }

    // Tiles [t0, t1) — columns 16·t0 … 16·t1 − 1 — of every row of C, then of Y or Q.
    private static void Tiles(Int8Path path, in Int8Problem p, int t0, int t1)
    {
        if (t0 >= t1 || p.M == 0) return;
        switch (path)
        {
            case Int8Path.Avx512: Avx512Tiles(in p, t0, t1); break;
            case Int8Path.AvxVnni: AvxVnniTiles(in p, t0, t1); break;
            case Int8Path.Avx2: Avx2Tiles(in p, t0, t1); break;
            default: ScalarTiles(in p, t0, t1); break;
        }
        if (p.Y != null) Epilogue(path, in p, t0 * Int8Tile.Columns, Math.Min(t1 * Int8Tile.Columns, p.N));
        else if (p.Q != null) Requantize(path, in p, t0 * Int8Tile.Columns, Math.Min(t1 * Int8Tile.Columns, p.N));
    }
}
