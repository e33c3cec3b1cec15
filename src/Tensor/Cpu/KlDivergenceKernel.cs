using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The distillation loss in one kernel: from student logits s and teacher logits t, [B, C], the batch-mean
/// KL(softmax(t/T) ‖ softmax(s/T)) and the gradients of that loss for a unit output gradient — no log-softmax
/// tensors are formed. A plain double-precision reference is <see cref="LossReference.KlDivergenceWithGradient"/>.
/// </summary>
/// <remarks>
/// Per row, with zs = (s − max s)/T, zt = (t − max t)/T, Ss = Σ e^zs, St = Σ e^zt, ps = e^zs/Ss, pt = e^zt/St:
/// log pt − log ps = (zt − zs) − (log St − log Ss), so with W = Σ e^zt·(zt − zs) and Σ pt = 1,
///   KL_r = Σ pt·(log pt − log ps) = W/St − (log St − log Ss),
///   ∂loss/∂s = (ps − pt)/(T·B),
///   ∂loss/∂t = pt·((log pt − log ps) − KL_r)/(T·B) = pt·((zt − zs) − W/St)/(T·B).
/// Six short passes over a row that stays in L1: max s, max t; e^zs into dStudent (summed); e^zt into dTeacher
/// or a scratch row (summed); W; dStudent = (e^zs/Ss − e^zt/St)/(T·B) in place; and, only when asked, dTeacher.
/// The two exponential passes are the cost; the logits are read from memory once. KL_r is combined in double and
/// stored per row, and the rows are summed in order, so the loss does not depend on the thread count; large
/// batches run blocks of rows on the worker pool.
/// </remarks>
internal static class KlDivergenceKernel
{
    private const int ElementsPerTask = 16 * 1024;

    [ThreadStatic] private static float[]? t_teacherRow;

    /// <summary>
    /// Writes (not adds) dStudent and, when not empty, dTeacher; returns the loss. All spans hold B rows of
    /// <paramref name="columns"/>.
    /// </summary>
    internal static float Run(KernelPath path, Memory<float> dStudent, Memory<float> dTeacher, ReadOnlyMemory<float> student,
        ReadOnlyMemory<float> teacher, int columns, float temperature)
    {
        int rows = student.Length / columns;
        if (rows == 0) return 0f;
        Job job = Job.t_cached ??= new Job();
        if (job.RowLoss.Length < rows) job.RowLoss = new double[Math.Max(rows, 2 * job.RowLoss.Length)];
        (job.Path, job.DStudent, job.DTeacher, job.Student, job.Teacher) = (path, dStudent, dTeacher, student, teacher);
        (job.Columns, job.InvT, job.Scale) = (columns, 1f / temperature, 1.0 / ((double)temperature * rows));
        job.RowsPerTask = Math.Max(1, ElementsPerTask / columns);
        int tasks = (rows + job.RowsPerTask - 1) / job.RowsPerTask;
        if (tasks == 1) job.Execute(0);
        else WorkerPool.Run(job, tasks);
        (job.DStudent, job.DTeacher, job.Student, job.Teacher) = (default, default, default, default);
        double total = 0;
        for (int r = 0; r < rows; r++) total += job.RowLoss[r];
        return (float)(total / rows);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows(KernelPath path, Span<float> dStudent, Span<float> dTeacher, ReadOnlySpan<float> student,
        ReadOnlySpan<float> teacher, Span<double> rowLoss, int columns, float invT, double scale)
    {
        for (int r = 0; r < rowLoss.Length; r++)
        {
            ReadOnlySpan<float> s = student.Slice(r * columns, columns), t = teacher.Slice(r * columns, columns);
            Span<float> ds = dStudent.Slice(r * columns, columns);
            Span<float> et = dTeacher.IsEmpty ? TeacherRow(columns) : dTeacher.Slice(r * columns, columns);
            float maxS = VectorLoop.Max(path, s), maxT = VectorLoop.Max(path, t);
            float sumS = VectorLoop.MapSum(path, new ExpOfShifted(maxS, invT), s, ds);
            float sumT = VectorLoop.MapSum(path, new ExpOfShifted(maxT, invT), t, et);
            float w = VectorLoop.Sum(path, new WeightedLogitGap(maxS, maxT, invT), et, s, t);
            VectorLoop.Map(path, new ProbabilityDifference((float)(scale / sumS), (float)(scale / sumT)), ds, et, ds);
            double meanGap = (double)w / sumT;
            if (!dTeacher.IsEmpty) TeacherGradientRow(path, new TeacherGradient((float)(scale / sumT), maxS, maxT, invT, (float)meanGap), et, s, t);
            rowLoss[r] = meanGap - Math.Log((double)sumT / sumS);
        }
    }

    // Not inlined into Rows: the optional pass would only add live values (spills) to the passes every call runs.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TeacherGradientRow(KernelPath path, TeacherGradient op, Span<float> et, ReadOnlySpan<float> s, ReadOnlySpan<float> t) =>
        VectorLoop.Map(path, op, et, s, t, et);

    private static Span<float> TeacherRow(int columns)
    {
        float[]? row = t_teacherRow;
        if (row is null || row.Length < columns) t_teacherRow = row = new float[Math.Max(columns, 64)];
        return row.AsSpan(0, columns);
    }

    private sealed class Job : ParallelJob
    {
        [ThreadStatic] internal static Job? t_cached;
        internal KernelPath Path;
        internal Memory<float> DStudent, DTeacher;
        internal ReadOnlyMemory<float> Student, Teacher;
        internal double[] RowLoss = [];
        internal int Columns, RowsPerTask;
        internal float InvT;
        internal double Scale;

        public override void Execute(int task)
        {
            int rows = Student.Length / Columns, first = task * RowsPerTask, count = Math.Min(RowsPerTask, rows - first);
            int start = first * Columns, length = count * Columns;
            Rows(Path, DStudent.Span.Slice(start, length), DTeacher.IsEmpty ? default : DTeacher.Span.Slice(start, length),
                Student.Span.Slice(start, length), Teacher.Span.Slice(start, length), RowLoss.AsSpan(first, count), Columns, InvT, Scale);
        }
    }
}

/// <summary>e^zt·(zt − zs) with (zt − zs) = ((t − max t) − (s − max s))/T; a = e^zt, b = s, c = t.</summary>
internal readonly struct WeightedLogitGap(float maxS, float maxT, float invT) : ITernaryOperator
{
    private readonly float _maxS = maxS, _maxT = maxT, _invT = invT;

    public float Invoke(float e, float s, float t) => e * (((t - _maxT) - (s - _maxS)) * _invT);

    public Vector256<float> Invoke(Vector256<float> e, Vector256<float> s, Vector256<float> t) =>
        e * (((t - Vector256.Create(_maxT)) - (s - Vector256.Create(_maxS))) * _invT);

    public Vector512<float> Invoke(Vector512<float> e, Vector512<float> s, Vector512<float> t) =>
        e * (((t - Vector512.Create(_maxT)) - (s - Vector512.Create(_maxS))) * _invT);
}

/// <summary>
/// es·a − et·b: (ps − pt)/(T·B) with a = 1/(Ss·T·B), b = 1/(St·T·B). Not fused into one FMA, so that equal student
/// and teacher rows give exactly 0.
/// </summary>
internal readonly struct ProbabilityDifference(float a, float b) : IBinaryOperator
{
    private readonly float _a = a, _b = b;

    public float Invoke(float es, float et) => es * _a - et * _b;
    public Vector256<float> Invoke(Vector256<float> es, Vector256<float> et) => es * _a - et * _b;
    public Vector512<float> Invoke(Vector512<float> es, Vector512<float> et) => es * _a - et * _b;
}

/// <summary>et·b·((zt − zs) − W/St): pt·((log pt − log ps) − KL_r)/(T·B) with b = 1/(St·T·B); a = e^zt, b = s, c = t.</summary>
internal readonly struct TeacherGradient(float b, float maxS, float maxT, float invT, float meanGap) : ITernaryOperator
{
    private readonly float _b = b, _maxS = maxS, _maxT = maxT, _invT = invT, _meanGap = meanGap;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float e, float s, float t) => e * _b * (((t - _maxT) - (s - _maxS)) * _invT - _meanGap);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> e, Vector256<float> s, Vector256<float> t) =>
        e * _b * (((t - Vector256.Create(_maxT)) - (s - Vector256.Create(_maxS))) * _invT - Vector256.Create(_meanGap));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> e, Vector512<float> s, Vector512<float> t) =>
        e * _b * (((t - Vector512.Create(_maxT)) - (s - Vector512.Create(_maxS))) * _invT - Vector512.Create(_meanGap));
}
