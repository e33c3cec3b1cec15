using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// SGEMM on managed memory: C = α·op(A)·op(B) + β·C, then + bias per column and an optional ReLU (row-major).
/// </summary>
/// <remarks>
/// Goto/BLIS layering. C is cut into MR×NR tiles, each computed by a register-tiled micro-kernel from two packed
/// micro-panels: Ã (MR rows of op(A), k-major: the MR values of step p are adjacent) and B̃ (NR columns of α·op(B),
/// k-major). Packing folds in both transposes and α, and zero-pads a partial panel to full width, so the kernel's
/// inner loop is the same straight line for every shape. Around it, five loops (one task's share of C):
/// <code>
///   for pc in K by KC          K block; C is finished (β, bias, ReLU) when the last one is stored
///     for ic in M by MC        pack Ã = op(A)[ic.., pc..]   MC×KC, once per (pc, ic)    → L3 (L2 when M is small)
///       for jc in N by NC      pack B̃ = α·op(B)[pc.., jc..] KC×NC, once per (pc, ic, jc) → L2
///         for ir in MC by MR   one A micro-panel, MR×KC                                  → L1, reused by every jr
///           for jr in NC by NR one B micro-panel, KC×NR, streamed from L2 → micro-kernel on C[ir.., jr..]
/// </code>
/// Block sizes come from the caches the machine reports (<see cref="GemmBlocking"/>: the A micro-panel in 3/4 of
/// L1d, B̃ in half of L2, Ã in half of the thread's L3 share); the register tiles from each kernel's register file:
/// <list type="bullet">
/// <item>MR×NR = 12×32 (AVX-512), 6×16 (AVX2), 4×4 (scalar): the largest tiles whose accumulators, B vectors and
/// broadcast fit the register file (27 of 32 zmm, 15 of 16 ymm); see each kernel's register map. Per step a tile
/// does MR·NR/16 FMAs for NR/16 vector loads and MR broadcasts, far under the load ports' limit.</item>
/// <item>K is cut into equal blocks of at most KC, rounded up to 16 (KC = 512: K = 784 → 400 + 384, 1200 → 3 × 400),
/// so a C tile is loaded and stored once per MR·KC·NR multiply-adds: C traffic is about 1% of the kernel time.</item>
/// <item>With pc outermost and MC ≥ M (every MLP shape) each element of A and of B is packed exactly once per call;
/// Ã then lives in L3 and each A micro-panel is read from there once per jc.</item>
/// </list>
/// Measured on this 2-core Zen 4 (FMA peak 117 GFLOP/s per core, 233 on both): 1024³ at 107 GFLOP/s on one thread
/// (91%) and 217 on two; the 128-row MLP products at 104–107 on one thread and 204–209 on two, the weight gradients
/// at 111 and 218–220. What is left for M = 128 is mostly packing B (about 6%: each element of B feeds only 2·128
/// flops).
/// <para>
/// Edge tiles: the AVX-512 kernel has 4/8/10/12-row and 16/32-column variants and stores a partial tile through lane
/// masks; the AVX2 kernel has 2/4/6-row variants and computes a column-partial tile into a scratch tile whose valid
/// part it merges (<see cref="GemmTile.Merge"/>), as the scalar kernel does with every tile. Every store applies the
/// same operations in the same order: C = tile (first K block, β = 0, the old C is not read), C = tile + C (later
/// blocks, β = 1) or C = tile + β·C in one rounding (other β), then + bias and max(0, ·) on the last K block — the
/// fused epilogue, so a Linear layer's forward is one call. A thin C (e.g. N = 10) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ,
/// so the long side lies along the vectors, and its tiles are stored transposed. M = 1 (batch-1 inference), and x·Wᵀ
/// with up to 4 rows, are GEMVs that read B without packing (<see cref="GemmVector"/>).
/// </para>
/// <para>
/// Threads: the output is split into one share per thread along N (each task packs all of A and its columns of B)
/// or along M (all of B, its rows of A), whichever repeats less packing; K is never split, and every C element is
/// computed by the same operations wherever its tile falls, so results are bit-identical for any thread count.
/// Tasks run on <see cref="WorkerPool"/> through one job object per calling thread; packing buffers are pinned,
/// per thread, allocated once and grown only when a larger problem arrives, so a steady state allocates nothing.
/// </para>
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a call runs on one thread: waking a worker costs more than it saves.</summary>
    internal const long ParallelThreshold = 1L << 20;

    /// <summary>
    /// Most A micro-panels (row tiles) a task may have for B (stored K×N, α = 1) to be read in place instead of packed.
    /// Packing costs about half a cycle per element of B once; reading B in place costs a little on every reuse
    /// (strided rows, more TLB entries), so it pays only when few row tiles reuse each B panel: measured on 128 × 1200²
    /// (11 row tiles) the two are equal, on 10 × 1200 × 128 (1 row tile) in place is 1.3× faster.
    /// </summary>
    internal const int InPlaceBMaxRowTiles = 8;

    /// <summary>
    /// Whether a task walks the source of the next blocks to be packed towards L2 while the current block computes
    /// (<see cref="SourcePrefetch"/>): on for AMD, where it was measured to pay (Zen 4: the teacher step's forward 5%
    /// faster on one thread); off on Intel cores, whose L2 streamer already fetches the rows that packing reads, so
    /// that the walk only took L2 from the packed B̃ block it shares it with (the next block's source is as large as
    /// B̃, and the two overflowed L2): on an Ice Lake Xeon every teacher product ran 1–13% faster without it, on one
    /// thread and on two, with the caches flushed before each call (the training step's case) as well as without.
    /// </summary>
    internal static readonly bool PrefetchesNextSource = CpuFamily.Vendor != "Intel";

    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;
    [ThreadStatic] private static GemmJob? t_job;

    /// <summary>op(A) is M×K, op(B) is K×N, C is M×N; all spans row-major and contiguous. Uses
    /// <see cref="CpuKernels.Path"/> and <see cref="CpuKernels.Threads"/>.</summary>
    internal static void Run(int m, int n, int k, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        Span<float> c, float alpha, float beta, ReadOnlySpan<float> bias, bool relu) =>
        RunWith(PathFor(CpuKernels.Path, m, n, k, transposeA, transposeB), CpuKernels.Threads, m, n, k, a, transposeA, b, transposeB,
            c, alpha, beta, bias, relu);

    /// <summary>
    /// The kernel path a call on the default path takes: <paramref name="path"/>, except that on cores which run 512-bit
    /// vectors as two 256-bit halves (<see cref="CpuFamily.SplitsWideVectors"/>: Zen 4) a GEMV whose B is larger than
    /// L2 takes the AVX2 kernel, which streams B faster there. Measured on Zen 4, interleaved, best of 60 timings: batch-1
    /// x·Wᵀ at 784→1200 39.2 against 37.6 GFLOP/s on one thread, 71.8 against 68.8 on two; 1200→1200 40.8 / 39.3 and
    /// 76.7 / 73.8; batch 4 at 784→1200 38.9 / 37.5 and 75.6 / 71.9. With B in L2 the two tie (784→128) or the AVX-512
    /// kernel wins (the 10-wide logits, 35.7 / 34.3), and every blocked product is as fast or faster on AVX-512.
    /// Explicit-path calls (<see cref="RunWith"/>, the tests) run the path they name.
    /// </summary>
    internal static KernelPath PathFor(KernelPath path, int m, int n, int k, bool transposeA, bool transposeB) =>
        path == KernelPath.Avx512 && CpuFamily.SplitsWideVectors && IsGemv(m, transposeA, transposeB)
            && (long)n * k * sizeof(float) > CpuCaches.Current.L2 ? KernelPath.Avx2 : path;

    // M = 1 (batch-1 inference), and x·Wᵀ with up to GemmVector.MaxRows rows, go to the GEMV, which reads B without packing.
    private static bool IsGemv(int m, bool transposeA, bool transposeB) =>
        m == 1 || (m <= GemmVector.MaxRows && !transposeA && transposeB);

    /// <summary>
    /// As <see cref="Run(int, int, int, ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, float, float, ReadOnlySpan{float}, bool)"/>
    /// on an explicit path, split into at most <paramref name="threads"/> tasks. The result does not depend on the
    /// number of tasks: the output is partitioned, never K.
    /// </summary>
    internal static void RunWith(KernelPath path, int threads, int m, int n, int k, ReadOnlySpan<float> a, bool transposeA,
        ReadOnlySpan<float> b, bool transposeB, Span<float> c, float alpha, float beta, ReadOnlySpan<float> bias, bool relu)
    {
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var problem = new Problem
            {
                M = m, N = n, K = k, A = pa, TransposeA = transposeA, B = pb, TransposeB = transposeB, C = pc,
                Alpha = alpha, Beta = beta, Bias = bias.IsEmpty ? null : pbias, Relu = relu, Path = path,
            };
            if (k == 0 || alpha == 0f) ScaleOnly(in problem);
            else if (IsGemv(m, transposeA, transposeB)) GemmVector.Run(in problem, threads);
            else if (path == KernelPath.Avx512) Blocked<GemmAvx512>(ref problem, threads);
            else if (path == KernelPath.Avx2) Blocked<GemmAvx2>(ref problem, threads);
            else Blocked<GemmScalar>(ref problem, threads);
        }
    }

    // C = β·C + bias, ReLU: the product is empty (K = 0) or scaled away (α = 0).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ScaleOnly(in Problem p)
    {
        var update = new TileUpdate { Beta = p.Beta, Bias = p.Bias, Relu = p.Relu };
        update.Mode = p.Beta == 0f ? TileMode.Overwrite : p.Beta == 1f ? TileMode.Accumulate : TileMode.Scale;
        float* zeros = stackalloc float[64];
        new Span<float>(zeros, 64).Clear();
        for (int i = 0; i < p.M; i++)
            for (int j = 0; j < p.N; j += 64)
            {
                update.Bias = p.Bias == null ? null : p.Bias + j;
                GemmTile.Merge(zeros, 0, p.C + (nint)i * p.N + j, 0, 1, Math.Min(64, p.N - j), &update);
            }
    }

    private static void Blocked<TKernel>(ref Problem p, int threads) where TKernel : struct, IGemmKernel
    {
        // A thin C (N well below NR, e.g. a 10-class output layer) fills few lanes of each tile; computing Cᵀ =
        // op(B)ᵀ·op(A)ᵀ instead puts the long dimension along the vectors. Its tiles are stored transposed.
        if (TileFill<TKernel>(p.N, p.M) > 1.25 * TileFill<TKernel>(p.M, p.N))
        {
            (p.M, p.N) = (p.N, p.M);
            float* a = p.A;
            p.A = p.B;
            p.B = a;
            (p.TransposeA, p.TransposeB) = (!p.TransposeB, !p.TransposeA);
            p.Swapped = true;
        }
        int panelsM = (p.M + TKernel.TileStepM - 1) / TKernel.TileStepM, panelsN = (p.N + TKernel.TileStepN - 1) / TKernel.TileStepN;
        // Each task packs all of the operand along the dimension it does not split: splitting N repeats A's packing
        // (M·K, transposing when A is stored M×K), splitting M repeats B's (K·N, transposing when stored N×K).
        long repeatA = (long)p.M * (p.TransposeA ? 1 : 2), repeatB = (long)p.N * (p.TransposeB ? 2 : 1);
        p.SplitN = repeatA <= repeatB ? panelsN >= 2 : panelsM < 2;
        int tasks = (long)p.M * p.N * p.K < ParallelThreshold ? 1 : Math.Min(threads, p.SplitN ? panelsN : panelsM);
        p.Tasks = Math.Max(tasks, 1);
        if (p.Tasks == 1)
        {
            RunTask<TKernel>(in p, 0);
            return;
        }
        GemmJob job = t_job ??= new GemmJob();
        job.Problem = p;
        WorkerPool.Run(job, p.Tasks);
        job.Problem = default;
    }

    // The fraction of the kernel's multiply-add lanes that hold C when an m×n product is tiled.
    private static double TileFill<TKernel>(int m, int n) where TKernel : struct, IGemmKernel =>
        (double)m / RoundUp(m, TKernel.TileStepM) * n / RoundUp(n, TKernel.TileStepN);

    private sealed class GemmJob : ParallelJob
    {
        public Problem Problem;

        public override void Execute(int item)
        {
            switch (Problem.Path)
            {
                case KernelPath.Avx512: RunTask<GemmAvx512>(in Problem, item); break;
                case KernelPath.Avx2: RunTask<GemmAvx2>(in Problem, item); break;
                default: RunTask<GemmScalar>(in Problem, item); break;
            }
        }
    }

    // One task's block of C: the five loops around the micro-kernel (pc → ic → jc → ir → jr, see the header).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RunTask<TKernel>(in Problem p, int task) where TKernel : struct, IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int m0 = 0, m1 = p.M, n0 = 0, n1 = p.N;
        if (p.SplitN) (n0, n1) = Share(p.N, TKernel.TileStepN, task, p.Tasks);
        else (m0, m1) = Share(p.M, TKernel.TileStepM, task, p.Tasks);
        if (m0 >= m1 || n0 >= n1) return;

        GemmBlocking blocking = GemmBlocking<TKernel>.Value;
        int k = p.K, kBlocks = (k + blocking.KC - 1) / blocking.KC;
        int kcMax = Math.Min(k, RoundUp((k + kBlocks - 1) / kBlocks, 16));
        int mcMax = Math.Min(RoundUp(blocking.MC, mr), RoundUp(m1 - m0, mr));
        int ncMax = Math.Min(RoundUp(blocking.NC, nr), RoundUp(n1 - n0, nr));
        float* packA = Buffer(ref t_packA, mcMax * kcMax);
        float* packB = Buffer(ref t_packB, ncMax * kcMax);
        float* scratch = stackalloc float[mr * nr];
        var overwrite = new TileUpdate { Mode = TileMode.Overwrite };
        var update = new TileUpdate { Beta = p.Beta };
        // Swapped: the product computed here is Cᵀ, so its element (i, j) lives at C[j·ldc + i] and its bias runs along i.
        bool swapped = p.Swapped;
        nint ldc = swapped ? p.M : p.N;
        bool direct = !p.TransposeB && p.Alpha == 1f && m1 - m0 <= InPlaceBMaxRowTiles * mr;

        var prefetch = new SourcePrefetch();
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            bool last = pc + kc >= k;
            update.Mode = pc > 0 || p.Beta == 1f ? TileMode.Accumulate : p.Beta == 0f ? TileMode.Overwrite : TileMode.Scale;
            update.Relu = last && p.Relu;
            float* bias = last ? p.Bias : null;
            for (int ic = m0; ic < m1; ic += mcMax)
            {
                int mc = Math.Min(mcMax, m1 - ic);
                if (p.TransposeA) TKernel.PackA(p.A + (nint)pc * p.M + ic, p.M, false, mc, kc, packA);
                else TKernel.PackA(p.A + (nint)ic * k + pc, k, true, mc, kc, packA);
                for (int jc = n0; jc < n1; jc += ncMax)
                {
                    int nc = Math.Min(ncMax, n1 - jc);
                    // B stored K×N with α = 1 is already k-major: for a short share of M its full panels are read in
                    // place (ldb = N) and only a partial last panel is packed (see InPlaceBMaxRowTiles).
                    int inPlace = direct ? nc / nr * nr : 0;
                    if (p.TransposeB) TKernel.PackB(p.B + (nint)jc * k + pc, k, true, nc, kc, packB, p.Alpha);
                    else if (inPlace < nc) TKernel.PackB(p.B + (nint)pc * p.N + jc + inPlace, p.N, false, nc - inPlace, kc, packB, p.Alpha);

                    // While this block computes, pull the source of the next blocks to pack towards L2, so that packing
                    // them does not wait on memory (operands of a training step are often no longer in cache: Adam's
                    // pass over the parameters evicts W from L3). Measured on Zen 4, teacher step on one thread: the
                    // forward 6.08–6.10 ms with it, 6.44–6.50 without (two threads: 3.20–3.26 and 3.31–3.39); in a
                    // benchmark repeating one product, whose B stays in L3, it is neutral. Not on Intel cores (see
                    // PrefetchesNextSource): there the walk stays empty and no tile issues anything.
                    if (jc + ncMax < n1) prefetch.StartB(in p, pc, kc, jc + ncMax, Math.Min(ncMax, n1 - jc - ncMax));
                    else if (ic + mcMax < m1) prefetch.StartAB(in p, pc, kc, ic + mcMax, Math.Min(mcMax, m1 - ic - mcMax), n0, Math.Min(ncMax, n1 - n0));
                    else if (!last) prefetch.StartAB(in p, pc + kc, Math.Min(kcMax, k - pc - kc), m0, Math.Min(mcMax, m1 - m0), n0, Math.Min(ncMax, n1 - n0));
                    else prefetch = default;
                    int perTile = prefetch.LinesPerTile(((mc + mr - 1) / mr) * ((nc + nr - 1) / nr));

                    for (int ip = 0; ip < mc; ip += mr)
                    {
                        int row = ic + ip, rows = Math.Min(mr, mc - ip);
                        float* a = packA + ip * kc;
                        for (int jp = 0; jp < nc; jp += nr)
                        {
                            int col = jc + jp, cols = Math.Min(nr, nc - jp);
                            float* b = jp < inPlace ? p.B + (nint)pc * p.N + col : packB + (jp - inPlace) * kc;
                            nint ldb = jp < inPlace ? p.N : nr;
                            if (swapped)
                            {
                                update.Bias = bias == null ? null : bias + row;
                                TKernel.Multiply(kc, a, b, ldb, scratch, nr, rows, cols, &overwrite);
                                GemmTile.MergeTransposed(scratch, nr, p.C + col * ldc + row, ldc, rows, cols, &update);
                            }
                            else
                            {
                                update.Bias = bias == null ? null : bias + col;
                                TKernel.Multiply(kc, a, b, ldb, p.C + row * ldc + col, ldc, rows, cols, &update);
                            }
                            if (perTile > 0) prefetch.Issue(perTile);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Walks the source rectangles of the next A and B blocks to be packed, issuing L2 prefetches a few lines at a
    /// time between micro-kernel calls, so the memory traffic overlaps the arithmetic instead of stalling the packing.
    /// </summary>
    private struct SourcePrefetch
    {
        private Rectangle _first, _second;

        public void StartB(in Problem p, int pc, int kc, int jc, int nc)
        {
            _first = PrefetchesNextSource ? BlockOfB(in p, pc, kc, jc, nc) : default;
            _second = default;
        }

        public void StartAB(in Problem p, int pc, int kc, int ic, int mc, int jc, int nc)
        {
            if (!PrefetchesNextSource)
            {
                this = default;
                return;
            }
            _first = p.TransposeA ? new Rectangle(p.A + (nint)pc * p.M + ic, p.M, mc, kc) : new Rectangle(p.A + (nint)ic * p.K + pc, p.K, kc, mc);
            _second = BlockOfB(in p, pc, kc, jc, nc);
        }

        private static Rectangle BlockOfB(in Problem p, int pc, int kc, int jc, int nc) =>
            p.TransposeB ? new Rectangle(p.B + (nint)jc * p.K + pc, p.K, kc, nc) : new Rectangle(p.B + (nint)pc * p.N + jc, p.N, nc, kc);

        /// <summary>Lines to prefetch after each of <paramref name="tiles"/> kernel calls to cover both rectangles
        /// (0 when there is nothing to walk).</summary>
        public readonly int LinesPerTile(int tiles)
        {
            int lines = _first.Lines + _second.Lines;
            return lines == 0 ? 0 : lines / Math.Max(tiles, 1) + 1;
        }

        public void Issue(int lines)
        {
            lines = _first.Issue(lines);
            if (lines > 0) _second.Issue(lines);
        }
    }

    /// <summary>Rows × width floats at a row stride, walked one cache line at a time by <see cref="Issue"/>.</summary>
    private struct Rectangle(float* origin, nint stride, int width, int rows)
    {
        private readonly int _rowLines = width > 0 ? (width * sizeof(float) + 63) / 64 + 1 : 0;
        private byte* _row = (byte*)origin;
        private int _rowsLeft = width > 0 ? rows : 0, _line;

        public readonly int Lines => _rowLines * _rowsLeft;

        /// <summary>Prefetches up to <paramref name="lines"/> lines into L2; returns how many of them were left over.</summary>
        /// <remarks>The position lives in locals while a row's lines are issued: updating the fields per line kept them
        /// in memory, and the walk took about 5% of a 128×784×1200 product on one thread (AVX2, perf on Zen 4).</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Issue(int lines)
        {
            if (!Sse.IsSupported) return 0;
            byte* row = _row;
            int line = _line, rowsLeft = _rowsLeft;
            while (lines > 0 && rowsLeft > 0)
            {
                int count = Math.Min(lines, _rowLines - line);
                byte* p = row + line * 64, end = p + count * 64;
                for (; p < end; p += 64) Sse.Prefetch1(p);
                lines -= count;
                line += count;
                if (line == _rowLines)
                {
                    line = 0;
                    row += stride * sizeof(float);
                    rowsLeft--;
                }
            }
            _row = row;
            (_line, _rowsLeft) = (line, rowsLeft);
            return lines;
        }
    }

    // Task's share [start, end) of a dimension of the given length, in whole grains of the given size. A share need
    // not start on a tile boundary of the whole matrix: an element's value does not depend on its tile.
    private static (int Start, int End) Share(int length, int grain, int task, int tasks)
    {
        int grains = (length + grain - 1) / grain;
        int start = (int)((long)grains * task / tasks) * grain, end = (int)((long)grains * (task + 1) / tasks) * grain;
        return (Math.Min(start, length), Math.Min(end, length));
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    // A 64-byte-aligned per-thread buffer of at least `floats` floats plus the packing slack, grown only when needed
    // (pinned, so the pointer stays valid without a fixed block).
    private static float* Buffer(ref float[]? array, int floats)
    {
        int need = floats + GemmPack.Slack + 16;
        if (array == null || array.Length < need) array = GC.AllocateUninitializedArray<float>(need, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (float*)((address + 63) & ~(nint)63);
    }
}
