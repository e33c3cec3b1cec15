using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The sparse Linear product y [B, Out] = x [B, In] · Wᵀ (+ bias, then ReLU) with W a <see cref="SparseMatrix"/>, on
/// an explicit kernel path and thread count (the backend's <see cref="CpuCompute.SparseLinear"/> uses
/// <see cref="CpuKernels.Path"/> and <see cref="CpuKernels.Threads"/>).
/// </summary>
/// <remarks>
/// Batches below <see cref="LaneBatchMin"/> run row by row through the batch-1 kernels (<see cref="SparseVector"/>:
/// W streamed once per row, outputs or stored elements in the vector lanes); larger batches are transposed once into
/// a per-thread scratch and run through the batch-in-lanes kernels (<see cref="SparseLanes"/>: batch rows in the
/// vector lanes, W streamed once per 16–64 rows). Above <see cref="ParallelThreshold"/> multiply-adds the unit rows
/// are split between tasks by their stored units; every output element is computed by one task in a fixed order, so
/// the result is bit-identical for any thread count.
/// </remarks>
public static unsafe class SparseKernels
{
    /// <summary>
    /// The smallest batch that runs with batch rows in the vector lanes. Below it the batch-1 kernel runs once per row:
    /// at 4 rows the lanes kernel fills a quarter of a 512-bit vector and the two cost about the same.
    /// </summary>
    public const int LaneBatchMin = 8;

    /// <summary>
    /// Below this many stored multiply-adds (units × unit height × batch) a call runs on one thread. Lower than the
    /// dense GEMM's because a sparse product is memory-bound: a 90 %-sparse 1200→1200 layer at batch 1 (144k stored
    /// weights, about 6 µs on one core) ran 1.9–2.4× faster on two (Zen 4, `tinykd bench`), where at 2¹⁸ it stayed on one.
    /// </summary>
    internal const long ParallelThreshold = 1L << 16;

    [ThreadStatic] private static float[]? t_transposed;
    [ThreadStatic] private static SparseJob? t_job;

    /// <summary>
    /// y [B, Out] = x [B, In] · Wᵀ, then y[b, o] += bias[o] and max(0, ·) when <paramref name="relu"/>; x and y are
    /// row-major and contiguous. The result does not depend on <paramref name="threads"/>.
    /// </summary>
    /// <param name="path">The kernel path; it must be supported here (<see cref="CpuKernels.IsSupported"/>).</param>
    /// <param name="threads">Most tasks the output is split into (≥ 1).</param>
    /// <param name="w">W [Out, In].</param>
    /// <param name="batch">B (≥ 0).</param>
    /// <param name="x">B·In floats.</param>
    /// <param name="y">B·Out floats, written.</param>
    /// <param name="bias">Empty, or Out floats.</param>
    /// <param name="relu">Apply max(0, ·) last.</param>
    /// <exception cref="NotSupportedException">The path is not supported by this processor.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length for W's shape and the batch; the message names both.</exception>
    public static void Run(KernelPath path, int threads, SparseMatrix w, int batch, ReadOnlySpan<float> x, Span<float> y,
        ReadOnlySpan<float> bias = default, bool relu = false)
    {
        if (!CpuKernels.IsSupported(path)) throw new NotSupportedException($"Kernel path {path} is not supported here; the widest is {CpuKernels.Best}.");
        ArgumentNullException.ThrowIfNull(w);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (x.Length != (long)batch * w.Columns)
            throw new ArgumentException($"x has {x.Length} floats; batch {batch} × W [{w.Rows}, {w.Columns}] needs [{batch}, {w.Columns}].", nameof(x));
        if (y.Length != (long)batch * w.Rows)
            throw new ArgumentException($"y has {y.Length} floats; batch {batch} × W [{w.Rows}, {w.Columns}] gives [{batch}, {w.Rows}].", nameof(y));
        if (!bias.IsEmpty && bias.Length != w.Rows)
            throw new ArgumentException($"The bias has {bias.Length} floats; W [{w.Rows}, {w.Columns}] has {w.Rows} rows.", nameof(bias));
        RunWith(path, threads, w, batch, x, y, bias, relu);
    }

    /// <summary>As <see cref="Run"/> without the argument checks (the caller has made them).</summary>
    internal static void RunWith(KernelPath path, int threads, SparseMatrix w, int batch, ReadOnlySpan<float> x, Span<float> y,
        ReadOnlySpan<float> bias, bool relu)
    {
        if (batch == 0 || w.Rows == 0) return;
        bool lanes = batch >= LaneBatchMin && path != KernelPath.Scalar;
        int stride = lanes ? RoundUp(batch, path == KernelPath.Avx512 ? 16 : 8) : 0;
        float* transposed = lanes ? Transpose(x, batch, w.Columns, stride) : null;
        fixed (int* starts = w.RowStarts)
        fixed (ushort* columns = w.ColumnIndices)
        fixed (float* values = w.Values, px = x, py = y, pbias = bias)
        {
            var p = new SparseProblem
            {
                Rows = w.Rows, Columns = w.Columns, Batch = batch, Height = w.UnitHeight, UnitRows = w.UnitRows,
                RowStarts = starts, ColumnIndices = columns, Values = values,
                X = px, Y = py, Bias = bias.IsEmpty ? null : pbias, Relu = relu, Path = path,
                Transposed = transposed, Stride = stride, Matrix = w,
            };
            long work = (long)w.Units * w.UnitHeight * batch;
            int tasks = work < ParallelThreshold ? 1 : Math.Min(threads, w.UnitRows);
            if (tasks <= 1)
            {
                UnitRows(in p, 0, w.UnitRows);
                return;
            }
            SparseJob job = t_job ??= new SparseJob();
            job.Problem = p;
            job.Tasks = tasks;
            WorkerPool.Run(job, tasks);
            job.Problem = default;
        }
    }

    private sealed class SparseJob : ParallelJob
    {
        public SparseProblem Problem;
        public int Tasks;

        // Task t takes the unit rows whose first unit falls in [t, t + 1)·Units/Tasks: equal shares of stored work.
        public override void Execute(int task)
        {
            int first = FirstRowAtUnit(in Problem, (long)Problem.RowStarts[Problem.UnitRows] * task / Tasks);
            int end = FirstRowAtUnit(in Problem, (long)Problem.RowStarts[Problem.UnitRows] * (task + 1) / Tasks);
            if (task == Tasks - 1) end = Problem.UnitRows;
            UnitRows(in Problem, first, end);
        }

        private static int FirstRowAtUnit(in SparseProblem p, long unit)
        {
            int lo = 0, hi = p.UnitRows;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (p.RowStarts[mid] < unit) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    // Unit rows [first, end) of every batch row.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void UnitRows(in SparseProblem p, int first, int end)
    {
        if (first >= end) return;
        if (p.Path == KernelPath.Scalar)
        {
            SparseReference.Rows(p.Matrix, p.Batch, new ReadOnlySpan<float>(p.X, p.Batch * p.Columns), new Span<float>(p.Y, p.Batch * p.Rows),
                p.Bias == null ? default : new ReadOnlySpan<float>(p.Bias, p.Rows), p.Relu, first, end);
            return;
        }
        if (p.Transposed != null)
        {
            SparseLanes.Run(in p, first, end);
            return;
        }
        SparseProblem row = p;
        for (int b = 0; b < p.Batch; b++, row.X += p.Columns, row.Y += p.Rows) SparseVector.Run(in row, first, end);
    }

    // x [B, In] into the calling thread's scratch as xᵀ [In, stride], the columns B … stride − 1 zero: the lanes kernels
    // read whole vectors of batch rows.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float* Transpose(ReadOnlySpan<float> x, int batch, int columns, int stride)
    {
        int need = columns * stride + 16;
        if (t_transposed == null || t_transposed.Length < need) t_transposed = GC.AllocateUninitializedArray<float>(need, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t_transposed));
        float* xt = (float*)((address + 63) & ~(nint)63);
        for (int k = 0; k < columns; k++)
        {
            float* row = xt + (nint)k * stride;
            for (int b = 0; b < batch; b++) row[b] = x[b * columns + k];
            for (int b = batch; b < stride; b++) row[b] = 0f;
        }
        return xt;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

/// <summary>One sparse product as the kernels see it: W's arrays, x, y and the epilogue, all pinned for the call.</summary>
internal unsafe struct SparseProblem
{
    public int Rows, Columns, Batch, Height, UnitRows, Stride;
    public int* RowStarts;
    public ushort* ColumnIndices;
    public float* Values, X, Y, Bias, Transposed;
    public bool Relu;
    public KernelPath Path;
    public SparseMatrix Matrix;

    /// <summary>+ bias[o], then ReLU: <see cref="SparseReference.Finish"/> on pointers.</summary>
    public readonly float Finish(float sum, int o)
    {
        if (Bias != null) sum += Bias[o];
        return Relu && 0f > sum ? 0f : sum;
    }
}
