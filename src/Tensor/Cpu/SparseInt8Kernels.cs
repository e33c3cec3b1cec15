using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The pruned int8 Linear product y [B, Out] = x [B, In]·Wᵀ (+ bias, then ReLU) with W a <see cref="SparseInt8Matrix"/>,
/// on an explicit kernel path and thread count (the backend's <see cref="CpuCompute.SparseInt8Linear"/> uses
/// <see cref="CpuKernels.Path"/> and <see cref="CpuKernels.Threads"/>).
/// </summary>
/// <remarks>
/// x is quantized to u8 once per call (<see cref="Int8Activations"/>: the given <see cref="ActivationQuantization"/>,
/// or one from x's own range). Batches below <see cref="LaneBatchMin"/> run row by row through the batch-1 kernels
/// (<see cref="SparseInt8Vector"/>: output channels in the lanes, W streamed once per row); larger batches are
/// transposed once into a per-thread scratch and run through the batch-in-lanes kernels (<see cref="SparseInt8Lanes"/>).
/// Both compute C[b, o] = Σ a·q − z·Σ q exactly in int32 (the Σ q precomputed in the weight), so every path and every
/// split equals <see cref="SparseInt8Reference"/> bit for bit; then one float epilogue, the same on every path. Above
/// <see cref="ParallelThreshold"/> multiply-adds the block rows are split between tasks by their stored blocks.
/// </remarks>
public static unsafe class SparseInt8Kernels
{
    /// <summary>The smallest batch that runs with batch rows in the vector lanes (as <see cref="SparseKernels.LaneBatchMin"/>).</summary>
    public const int LaneBatchMin = 8;

    /// <summary>Below this many stored multiply-adds (blocks × 8 × batch) a call runs on one thread.</summary>
    internal const long ParallelThreshold = 1L << 18;

    // Per-thread scratch, grown on demand and reused: the u8 activations, their transpose, the int32 products.
    [ThreadStatic] private static byte[]? t_activations;
    [ThreadStatic] private static byte[]? t_transposed;
    [ThreadStatic] private static int[]? t_products;
    [ThreadStatic] private static SparseInt8Job? t_job;

    /// <summary>
    /// y [B, Out] = x [B, In]·Wᵀ, then y[b, o] += bias[o] and max(0, ·) when <paramref name="relu"/>, with x quantized
    /// to u8 by <paramref name="activation"/> (null: dynamically from x's minimum and maximum). The result does not
    /// depend on <paramref name="threads"/> nor on <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The kernel path; it must be supported here (<see cref="CpuKernels.IsSupported"/>).</param>
    /// <param name="threads">Most tasks the output is split into (≥ 1).</param>
    /// <param name="w">W [Out, In].</param>
    /// <param name="batch">B (≥ 0).</param>
    /// <param name="x">B·In floats.</param>
    /// <param name="y">B·Out floats, written.</param>
    /// <param name="bias">Empty, or Out floats.</param>
    /// <param name="relu">Apply max(0, ·) last.</param>
    /// <param name="activation">The activation quantization, or null for dynamic.</param>
    /// <exception cref="NotSupportedException">The path is not supported by this processor.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length for W's shape and the batch (the message names
    /// both), or x holds a NaN or an infinity under dynamic quantization.</exception>
    public static void Run(KernelPath path, int threads, SparseInt8Matrix w, int batch, ReadOnlySpan<float> x, Span<float> y,
        ReadOnlySpan<float> bias = default, bool relu = false, ActivationQuantization? activation = null)
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
        RunWith(path, threads, w, batch, x, y, bias, relu, activation);
    }

    /// <summary>As <see cref="Run"/> without the argument checks (the caller has made them).</summary>
    internal static void RunWith(KernelPath path, int threads, SparseInt8Matrix w, int batch, ReadOnlySpan<float> x, Span<float> y,
        ReadOnlySpan<float> bias, bool relu, ActivationQuantization? activation)
    {
        if (batch == 0 || w.Rows == 0) return;
        byte[] a = Grow(ref t_activations, x.Length);
        ActivationQuantization quantization;
        fixed (float* px = x)
        fixed (byte* pa = a)
        {
            quantization = activation ?? Dynamic(path, px, x.Length);
            Int8Activations.Quantize(path, px, pa, x.Length, quantization);
        }
        int[] c = Grow(ref t_products, batch * w.Rows);
        fixed (float* py = y, pb = bias, scales = w.Scales)
        {
            var p = Problem(path, w, batch, a, quantization.ZeroPoint, c);
            p.Y = py;
            p.Bias = bias.IsEmpty ? null : pb;
            p.Scales = scales;
            p.ScaleA = quantization.Scale;
            p.Relu = relu;
            Compute(threads, w, ref p, a);
        }
    }

    /// <summary>
    /// The integer part alone: C [B, Out] = Σ (a − z)·q with a [B, In] already u8, on <paramref name="path"/> and
    /// <paramref name="threads"/> threads (for the tests that compare the int32 products themselves).
    /// </summary>
    internal static void Products(KernelPath path, int threads, SparseInt8Matrix w, int batch, byte[] a, int zeroPoint, int[] c)
    {
        if (batch == 0 || w.Rows == 0) return;
        var p = Problem(path, w, batch, a, zeroPoint, c);
        Compute(threads, w, ref p, a);
    }

    private static SparseInt8Problem Problem(KernelPath path, SparseInt8Matrix w, int batch, byte[] a, int zeroPoint, int[] c) => new()
    {
        Rows = w.Rows, Columns = w.Columns, Batch = batch, BlockRows = w.BlockRows, ZeroPoint = zeroPoint,
        Path = path, Matrix = w, Activations = a, Products = c,
    };

    private static void Compute(int threads, SparseInt8Matrix w, ref SparseInt8Problem p, byte[] a)
    {
        bool lanes = p.Batch >= LaneBatchMin && p.Path != KernelPath.Scalar;
        byte[]? transposed = null;
        if (lanes)
        {
            p.Stride = RoundUp(p.Batch, p.Path == KernelPath.Avx512 ? 16 : 8);
            transposed = Transpose(a, p.Batch, p.Columns, p.Stride);
        }
        fixed (int* starts = w.RowStarts, sums = w.RowSums, pc = p.Products)
        fixed (ushort* columns = w.ColumnIndices)
        fixed (sbyte* values = w.Values)
        fixed (byte* pa = a, pt = transposed)
        {
            p.RowStarts = starts;
            p.RowSums = sums;
            p.ColumnIndices = columns;
            p.Values = values;
            p.C = pc;
            p.A = pa;
            p.Transposed = pt;
            long work = (long)w.Blocks * SparseInt8Matrix.BlockHeight * p.Batch;
            int tasks = work < ParallelThreshold ? 1 : Math.Min(threads, w.BlockRows);
            if (tasks <= 1)
            {
                BlockRows(in p, 0, w.BlockRows);
                return;
            }
            SparseInt8Job job = t_job ??= new SparseInt8Job();
            job.Problem = p;
            job.Tasks = tasks;
            WorkerPool.Run(job, tasks);
            job.Problem = default;
        }
    }

    // ActivationQuantization.FromData on the given path (min and max are the same on every path).
    private static ActivationQuantization Dynamic(KernelPath path, float* x, int n)
    {
        if (n == 0) return new ActivationQuantization(1f, 0);
        if (!Int8Activations.Range(path, x, n, out float min, out float max))
            throw new ArgumentException($"x ({n} floats) holds a NaN or an infinity (range [{min}, {max}]); dynamic quantization needs finite values.", "x");
        return ActivationQuantization.FromRange(min, max);
    }

    private sealed class SparseInt8Job : ParallelJob
    {
        public SparseInt8Problem Problem;
        public int Tasks;

        // Task t takes the block rows whose first block falls in [t, t + 1)·Blocks/Tasks: equal shares of stored work.
        public override void Execute(int task)
        {
            int first = FirstRowAtBlock(in Problem, (long)Problem.RowStarts[Problem.BlockRows] * task / Tasks);
            int end = task == Tasks - 1 ? Problem.BlockRows : FirstRowAtBlock(in Problem, (long)Problem.RowStarts[Problem.BlockRows] * (task + 1) / Tasks);
            BlockRows(in Problem, first, end);
        }

        private static int FirstRowAtBlock(in SparseInt8Problem p, long block)
        {
            int lo = 0, hi = p.BlockRows;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (p.RowStarts[mid] < block) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    // Block rows [first, end) of every batch row: the int32 products, then (when there is a y) the epilogue.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockRows(in SparseInt8Problem p, int first, int end)
    {
        if (first >= end) return;
        if (p.Path == KernelPath.Scalar)
            SparseInt8Reference.Products(p.Matrix, p.Batch, p.Activations, p.ZeroPoint, p.Products, first, end);
        else if (p.Transposed != null)
            SparseInt8Lanes.Run(in p, first, end);
        else
        {
            SparseInt8Problem row = p;
            for (int b = 0; b < p.Batch; b++, row.A += p.Columns, row.C += p.Rows) SparseInt8Vector.Run(in row, first, end);
        }
        if (p.Y != null) Epilogue(in p, first * SparseInt8Matrix.BlockHeight, Math.Min(end * SparseInt8Matrix.BlockHeight, p.Rows));
    }

    // y = (float)C·(s_a·s_w[o]) + b[o] (then ReLU) on outputs [o0, o1) of every row, in the reference's operation
    // order (no FMA), so every path gives the reference's floats.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Epilogue(in SparseInt8Problem p, int o0, int o1)
    {
        Vector256<float> sa = Vector256.Create(p.ScaleA);
        for (int b = 0; b < p.Batch; b++)
        {
            int* c = p.C + (nint)b * p.Rows;
            float* y = p.Y + (nint)b * p.Rows;
            int o = o0;
            if (p.Path != KernelPath.Scalar)
                for (; o + 8 <= o1; o += 8)
                {
                    Vector256<float> v = Vector256.ConvertToSingle(Vector256.Load(c + o)) * (sa * Vector256.Load(p.Scales + o));
                    if (p.Bias != null) v += Vector256.Load(p.Bias + o);
                    (p.Relu ? Vector256.Max(v, Vector256<float>.Zero) : v).Store(y + o);
                }
            for (; o < o1; o++)
            {
                float v = c[o] * (p.ScaleA * p.Scales[o]);
                if (p.Bias != null) v += p.Bias[o];
                y[o] = p.Relu ? Math.Max(v, 0f) : v;
            }
        }
    }

    // a [B, In] into the calling thread's scratch as aᵀ [In, stride], the columns B … stride − 1 zero: the lanes
    // kernels read whole vectors of batch rows.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static byte[] Transpose(byte[] a, int batch, int columns, int stride)
    {
        byte[] t = Grow(ref t_transposed, columns * stride + 64);
        for (int k = 0; k < columns; k++)
        {
            Span<byte> row = t.AsSpan(k * stride, stride);
            for (int b = 0; b < batch; b++) row[b] = a[b * columns + k];
            row[batch..].Clear();
        }
        return t;
    }

    private static T[] Grow<T>(ref T[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = GC.AllocateUninitializedArray<T>(Math.Max(length, 1), pinned: true);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

/// <summary>One pruned int8 product as the kernels see it: W's arrays, the u8 activations, C, y and the epilogue.</summary>
internal unsafe struct SparseInt8Problem
{
    public int Rows, Columns, Batch, BlockRows, Stride, ZeroPoint;
    public int* RowStarts, RowSums, C;
    public ushort* ColumnIndices;
    public sbyte* Values;
    /// <summary>u8 activations [B, In] (A) and, for the lanes kernels, their transpose [In, Stride].</summary>
    public byte* A, Transposed;
    /// <summary>When not null, the float epilogue writes Y [B, Out] from C [B, Out].</summary>
    public float* Y, Scales, Bias;
    public float ScaleA;
    public bool Relu;
    public KernelPath Path;
    public SparseInt8Matrix Matrix;
    public byte[] Activations;
    public int[] Products;
}
