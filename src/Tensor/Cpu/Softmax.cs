using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Row softmax and log-softmax with temperature T, and their backward passes; a plain reference is in
/// Softmax.Reference.cs.
/// </summary>
/// <remarks>
/// Stability: with z = (x − max x)/T every exponent is ≤ 0, so e^z never overflows and the row sum is ≥ 1.
/// Forward, per row of C columns, three passes over a row that stays in L1: max; e^z (stored for softmax, only
/// summed for log-softmax); then softmax scales by 1/Σ, log-softmax writes z − log Σ from x again without ever
/// forming the probabilities. Backward (per row, s = softmax, g = dy): softmax dx += s ∘ (g − ⟨g, s⟩)/T;
/// log-softmax dx += (g − e^y·Σg)/T — two passes each. Rows are independent, so large inputs are split into
/// fixed blocks of rows run on the worker pool and the result does not depend on the thread count.
/// </remarks>
internal static class Softmax
{
    /// <summary>Rows per parallel task are chosen so that a task covers about this many elements.</summary>
    private const int ElementsPerTask = 16 * 1024;

    /// <summary>y = softmax(x/T) (or log-softmax) of every row; x and y hold whole rows of <paramref name="columns"/>.</summary>
    internal static void Forward(KernelPath path, ReadOnlyMemory<float> x, Memory<float> y, int columns, float temperature, bool log)
    {
        int rows = x.Length / columns, rowsPerTask = RowsPerTask(columns);
        if (rows <= rowsPerTask)
        {
            ForwardRows(path, x.Span, y.Span, columns, 1f / temperature, log);
            return;
        }
        ForwardJob job = ForwardJob.t_cached ??= new ForwardJob();
        (job.Path, job.X, job.Y, job.Columns, job.InvT, job.Log, job.RowsPerTask) = (path, x, y, columns, 1f / temperature, log, rowsPerTask);
        WorkerPool.Run(job, (rows + rowsPerTask - 1) / rowsPerTask);
        job.X = default;
        job.Y = default;
    }

    /// <summary>dx += the backward of <see cref="Forward"/> given its output y and the output gradient dy.</summary>
    internal static void Backward(KernelPath path, Memory<float> dx, ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, int columns,
        float temperature, bool log)
    {
        int rows = y.Length / columns, rowsPerTask = RowsPerTask(columns);
        if (rows <= rowsPerTask)
        {
            BackwardRows(path, dx.Span, y.Span, dy.Span, columns, 1f / temperature, log);
            return;
        }
        BackwardJob job = BackwardJob.t_cached ??= new BackwardJob();
        (job.Path, job.Dx, job.Y, job.Dy, job.Columns, job.InvT, job.Log, job.RowsPerTask) = (path, dx, y, dy, columns, 1f / temperature, log, rowsPerTask);
        WorkerPool.Run(job, (rows + rowsPerTask - 1) / rowsPerTask);
        job.Dx = default;
        job.Y = default;
        job.Dy = default;
    }

    private static int RowsPerTask(int columns) => Math.Max(1, ElementsPerTask / columns);

    // Softmax and log-softmax (and their backward passes) are separate methods so that each inlines its drivers
    // without the other's live values: one method holding both paths spilled its loop constants to the stack and
    // ran a 128×10 softmax 2× slower than the specialised code (measured in bench/, where log is not a constant).
    private static void ForwardRows(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int columns, float invT, bool log)
    {
        if (log) LogSoftmaxRows(path, x, y, columns, invT);
        else SoftmaxRows(path, x, y, columns, invT);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxRows(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int columns, float invT)
    {
        for (int r = 0; r < x.Length; r += columns)
        {
            ReadOnlySpan<float> xr = x.Slice(r, columns);
            Span<float> yr = y.Slice(r, columns);
            float max = VectorLoop.Max(path, xr);
            float sum = VectorLoop.MapSum(path, new ExpOfShifted(max, invT), xr, yr);
            VectorLoop.Map(path, new ScaleOperator(1f / sum), yr, yr);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LogSoftmaxRows(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int columns, float invT)
    {
        for (int r = 0; r < x.Length; r += columns)
        {
            ReadOnlySpan<float> xr = x.Slice(r, columns);
            float max = VectorLoop.Max(path, xr);
            float sum = VectorLoop.Sum(path, new ExpOfShifted(max, invT), xr);
            VectorLoop.Map(path, new ShiftedMinus(max, invT, MathF.Log(sum)), xr, y.Slice(r, columns));
        }
    }

    private static void BackwardRows(KernelPath path, Span<float> dx, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int columns,
        float invT, bool log)
    {
        if (log) LogSoftmaxBackwardRows(path, dx, y, dy, columns, invT);
        else SoftmaxBackwardRows(path, dx, y, dy, columns, invT);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxBackwardRows(KernelPath path, Span<float> dx, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int columns, float invT)
    {
        for (int r = 0; r < y.Length; r += columns)
        {
            ReadOnlySpan<float> yr = y.Slice(r, columns), gr = dy.Slice(r, columns);
            float dot = VectorLoop.Sum(path, default(MultiplyOperator), gr, yr);
            VectorLoop.MapAdd(path, new SoftmaxGradient(dot, invT), yr, gr, dx.Slice(r, columns));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LogSoftmaxBackwardRows(KernelPath path, Span<float> dx, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int columns, float invT)
    {
        for (int r = 0; r < y.Length; r += columns)
        {
            ReadOnlySpan<float> yr = y.Slice(r, columns), gr = dy.Slice(r, columns);
            float sum = VectorLoop.Sum(path, default(IdentityOperator), gr);
            VectorLoop.MapAdd(path, new LogSoftmaxGradient(sum, invT), yr, gr, dx.Slice(r, columns));
        }
    }

    private sealed class ForwardJob : ParallelJob
    {
        [ThreadStatic] internal static ForwardJob? t_cached;
        internal KernelPath Path;
        internal ReadOnlyMemory<float> X;
        internal Memory<float> Y;
        internal int Columns, RowsPerTask;
        internal float InvT;
        internal bool Log;

        public override void Execute(int task)
        {
            int start = task * RowsPerTask * Columns, length = Math.Min(RowsPerTask * Columns, X.Length - start);
            ForwardRows(Path, X.Span.Slice(start, length), Y.Span.Slice(start, length), Columns, InvT, Log);
        }
    }

    private sealed class BackwardJob : ParallelJob
    {
        [ThreadStatic] internal static BackwardJob? t_cached;
        internal KernelPath Path;
        internal Memory<float> Dx;
        internal ReadOnlyMemory<float> Y, Dy;
        internal int Columns, RowsPerTask;
        internal float InvT;
        internal bool Log;

        public override void Execute(int task)
        {
            int start = task * RowsPerTask * Columns, length = Math.Min(RowsPerTask * Columns, Y.Length - start);
            BackwardRows(Path, Dx.Span.Slice(start, length), Y.Span.Slice(start, length), Dy.Span.Slice(start, length), Columns, InvT, Log);
        }
    }
}

/// <summary>e^((x − max)/T), the unnormalised softmax of a row whose largest element is max.</summary>
internal readonly struct ExpOfShifted(float max, float invT) : IUnaryOperator
{
    private readonly float _max = max, _invT = invT;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => default(ExpOperator).Invoke((x - _max) * _invT);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => default(ExpOperator).Invoke((x - Vector256.Create(_max)) * _invT);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => default(ExpOperator).Invoke((x - Vector512.Create(_max)) * _invT);
}

/// <summary>(x − max)/T − log Σ: log-softmax from the logits, rounded once after the subtraction.</summary>
internal readonly struct ShiftedMinus(float max, float invT, float logSum) : IUnaryOperator
{
    private readonly float _max = max, _invT = invT, _logSum = logSum;

    public float Invoke(float x) => MathF.FusedMultiplyAdd(x - _max, _invT, -_logSum);

    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.FusedMultiplyAdd(x - Vector256.Create(_max), Vector256.Create(_invT), Vector256.Create(-_logSum));

    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.FusedMultiplyAdd(x - Vector512.Create(_max), Vector512.Create(_invT), Vector512.Create(-_logSum));
}

/// <summary>s·(g − ⟨g, s⟩)/T for softmax output s and output gradient g.</summary>
internal readonly struct SoftmaxGradient(float dot, float invT) : IBinaryOperator
{
    private readonly float _dot = dot, _invT = invT;

    public float Invoke(float s, float g) => s * (g - _dot) * _invT;
    public Vector256<float> Invoke(Vector256<float> s, Vector256<float> g) => s * (g - Vector256.Create(_dot)) * _invT;
    public Vector512<float> Invoke(Vector512<float> s, Vector512<float> g) => s * (g - Vector512.Create(_dot)) * _invT;
}

/// <summary>(g − e^y·Σg)/T for log-softmax output y and output gradient g.</summary>
internal readonly struct LogSoftmaxGradient(float sum, float invT) : IBinaryOperator
{
    private readonly float _sum = sum, _invT = invT;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float g) => (g - default(ExpOperator).Invoke(y) * _sum) * _invT;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => (g - default(ExpOperator).Invoke(y) * _sum) * _invT;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => (g - default(ExpOperator).Invoke(y) * _sum) * _invT;
}
