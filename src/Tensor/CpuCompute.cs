using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

/// <summary>
/// The CPU backend: managed <c>float[]</c> storage and the kernels in <c>Cpu/</c>. It is the reference that every
/// other backend is tested against. Stateless apart from per-thread scratch, so one instance serves all threads.
/// </summary>
public sealed partial class CpuCompute : ICompute
{
    /// <summary>The process-wide CPU backend.</summary>
    public static CpuCompute Default { get; } = new();

    private CpuCompute() { }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public Storage Allocate(int length)
    {
        return CpuStorage.Allocate(this, length);
    }

    /// <inheritdoc />
    public void CopyFromHost(Tensor destination, ReadOnlySpan<float> source)
    {
        ComputeChecks.Owned(this, destination, nameof(destination));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying {source.Length} floats into a tensor of shape {destination.Shape}.", nameof(source));
        source.CopyTo(destination.Span);
    }

    /// <inheritdoc />
    public void CopyToHost(Tensor source, Span<float> destination)
    {
        ComputeChecks.Owned(this, source, nameof(source));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying a tensor of shape {source.Shape} into {destination.Length} floats.", nameof(destination));
        source.Span.CopyTo(destination);
    }

    /// <inheritdoc />
    public IntStorage AllocateInts(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new CpuIntStorage(this, new int[length]);
    }

    /// <inheritdoc />
    public void CopyFromHost(IntTensor destination, ReadOnlySpan<int> source)
    {
        ComputeChecks.Owned(this, destination, nameof(destination));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying {source.Length} ints into an int tensor of {destination.Length}.", nameof(source));
        source.CopyTo(destination.Span);
    }

    /// <inheritdoc />
    public void CopyToHost(IntTensor source, Span<int> destination)
    {
        ComputeChecks.Owned(this, source, nameof(source));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying an int tensor of {source.Length} into {destination.Length} ints.", nameof(destination));
        source.Span.CopyTo(destination);
    }

    /// <inheritdoc />
    public void Copy(Tensor y, Tensor x, bool accumulate = false)
    {
        Check(y, nameof(y), x, nameof(x));
        ComputeChecks.SameLength(y, nameof(y), x, nameof(x));
        if (accumulate) Elementwise.AddTo(CpuKernels.Path, x.Span, y.Span);
        else x.Span.CopyTo(y.Span); // A plain copy: no arithmetic, the same on every path.
    }

    /// <inheritdoc />
    public void Fill(Tensor y, float value)
    {
        ComputeChecks.Owned(this, y, nameof(y));
        y.Span.Fill(value);
    }

    /// <inheritdoc />
    public void Gemm(Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None)
    {
        Check(c, nameof(c), a, nameof(a));
        ComputeChecks.Owned(this, b, nameof(b));
        if (!bias.IsEmpty) ComputeChecks.Owned(this, bias, nameof(bias));
        var (m, n, k) = ComputeChecks.Gemm(c, a, transposeA, b, transposeB, bias);
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        Cpu.Gemm.Run(m, n, k, a.Span, ta, b.Span, tb, c.Span, alpha, beta,
            bias.IsEmpty ? default : bias.Span, epilogue == Epilogue.Relu);
    }

    /// <inheritdoc />
    public void Unary(UnaryOp op, Tensor y, Tensor x, float parameter = 0f)
    {
        Check(y, nameof(y), x, nameof(x));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        Elementwise.Unary(CpuKernels.Path, op, x.Span, y.Span, parameter);
    }

    /// <inheritdoc />
    public void UnaryBackward(UnaryOp op, Tensor dx, Tensor x, Tensor y, Tensor dy, float parameter = 0f, bool accumulate = true)
    {
        Check(dx, nameof(dx), x, nameof(x));
        Check(y, nameof(y), dy, nameof(dy));
        ComputeChecks.SameLength(x, nameof(x), dx, nameof(dx));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        ComputeChecks.SameLength(x, nameof(x), dy, nameof(dy));
        Elementwise.UnaryBackward(CpuKernels.Path, op, dx.Span, x.Span, y.Span, dy.Span, parameter, accumulate);
    }

    /// <inheritdoc />
    public void Binary(BinaryOp op, Tensor y, Tensor a, Tensor b, bool accumulate = false)
    {
        Check(y, nameof(y), a, nameof(a));
        ComputeChecks.Owned(this, b, nameof(b));
        Shape shape = ComputeChecks.Broadcast(a, nameof(a), b, nameof(b));
        if (y.Shape != shape)
            throw new ArgumentException($"Tensor 'y' {y.Shape} must have the broadcast shape {shape} of 'a' {a.Shape} and 'b' {b.Shape}.", nameof(y));
        Elementwise.Binary(CpuKernels.Path, op, a.Span, a.Shape, b.Span, b.Shape, y.Span, shape, accumulate);
    }

    /// <inheritdoc />
    public void SumTo(Tensor y, Tensor x, float scale = 1f, bool accumulate = false)
    {
        Check(y, nameof(y), x, nameof(x));
        ComputeChecks.BroadcastsTo(y, nameof(y), x, nameof(x));
        Reductions.SumTo(CpuKernels.Path, x.Span, x.Shape, y.Span, y.Shape, scale, accumulate);
    }

    /// <inheritdoc />
    public void Axpby(Tensor y, Tensor x, float alpha, float beta)
    {
        Check(y, nameof(y), x, nameof(x));
        ComputeChecks.SameLength(x, nameof(x), y, nameof(y));
        Elementwise.Axpby(CpuKernels.Path, x.Span, y.Span, alpha, beta);
    }

    /// <inheritdoc />
    public void ScaledAdd(Tensor y, Tensor x, Tensor scale, float factor = 1f, float divisor = 1f, bool accumulate = true) =>
        Axpby(y, x, factor * ScalarOf(scale, nameof(scale)) / divisor, accumulate ? 1f : 0f);

    // The value of a one-element tensor of this backend (a loss gradient handed to a backward kernel).
    private float ScalarOf(Tensor scale, string name)
    {
        OneElement(scale, name);
        return scale.Span[0];
    }

    // Throws unless t is a one-element tensor of this backend.
    private void OneElement(Tensor t, string name)
    {
        ComputeChecks.Owned(this, t, name);
        if (t.Length != 1) throw new ArgumentException($"'{name}' must hold one element; got shape {t.Shape}.", name);
    }

    /// <inheritdoc />
    public void Reduce(ReduceOp op, Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false)
    {
        Check(y, nameof(y), x, nameof(x));
        var (outer, n, inner) = ComputeChecks.Reduce(op, y, x, axis, accumulate);
        Reductions.Reduce(CpuKernels.Path, op, x.Span, y.Span, outer, n, inner, scale, accumulate);
    }

    /// <inheritdoc />
    public void BroadcastAxis(Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false)
    {
        Check(y, nameof(y), x, nameof(x));
        var (outer, n, inner) = ComputeChecks.BroadcastAxis(y, x, axis);
        Reductions.Broadcast(CpuKernels.Path, x.Span, y.Span, outer, n, inner, scale, accumulate);
    }

    /// <inheritdoc />
    public void ArgMax(Tensor x, IntTensor indices)
    {
        ComputeChecks.Owned(this, x, nameof(x));
        ComputeChecks.Owned(this, indices, nameof(indices));
        if (indices.Length != x.Shape.Rows || x.Shape.Columns == 0)
            throw new ArgumentException($"ArgMax of {x.Shape} needs {x.Shape.Rows} indices and non-empty rows; got {indices.Length}.", nameof(indices));
        Reductions.ArgMax(x.Span, x.Shape.Columns, indices.Span);
    }

    /// <inheritdoc />
    public void TransposeLastTwo(Tensor y, Tensor x, bool accumulate = false)
    {
        Check(y, nameof(y), x, nameof(x));
        var (rows, cols) = ComputeChecks.TransposeLastTwo(y, x);
        Reductions.TransposeLastTwo(x.Span, y.Span, rows * cols == 0 ? 0 : x.Length / (rows * cols), rows, cols, accumulate);
    }

    /// <inheritdoc />
    public void CopyAlongAxis(Tensor y, int yStart, Tensor x, int xStart, int count, int axis, bool accumulate = false)
    {
        Check(y, nameof(y), x, nameof(x));
        int a = ComputeChecks.CopyAlongAxis(y, yStart, x, xStart, count, axis);
        int outer = x.Shape.Outer(a), inner = x.Shape.Inner(a), nx = x.Shape[a], ny = y.Shape[a];
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span;
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> src = xs.Slice((o * nx + xStart) * inner, count * inner);
            Span<float> dst = ys.Slice((o * ny + yStart) * inner, count * inner);
            if (accumulate) Elementwise.AddTo(CpuKernels.Path, src, dst);
            else src.CopyTo(dst);
        }
    }

    /// <inheritdoc />
    public void Softmax(Tensor y, Tensor x, float temperature, bool log)
    {
        Check(y, nameof(y), x, nameof(x));
        ComputeChecks.SameShape(x, nameof(x), y, nameof(y));
        ComputeChecks.Temperature(temperature);
        if (x.Length == 0) return;
        Cpu.Softmax.Forward(CpuKernels.Path, MemoryOf(x), MemoryOf(y), x.Shape.Columns, temperature, log);
    }

    /// <inheritdoc />
    public void SoftmaxBackward(Tensor dx, Tensor y, Tensor dy, float temperature, bool log)
    {
        Check(dx, nameof(dx), y, nameof(y));
        ComputeChecks.Owned(this, dy, nameof(dy));
        ComputeChecks.SameShape(y, nameof(y), dx, nameof(dx));
        ComputeChecks.SameShape(y, nameof(y), dy, nameof(dy));
        ComputeChecks.Temperature(temperature);
        if (y.Length == 0) return;
        Cpu.Softmax.Backward(CpuKernels.Path, MemoryOf(dx), MemoryOf(y), MemoryOf(dy), y.Shape.Columns, temperature, log);
    }

    /// <inheritdoc />
    public void NllLoss(Tensor loss, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor labelledCount = default, float weight = 1f)
    {
        Check(loss, nameof(loss), logProbabilities, nameof(logProbabilities));
        ComputeChecks.Owned(this, labels, nameof(labels));
        if (!labelledCount.IsEmpty) OneElement(labelledCount, nameof(labelledCount));
        ComputeChecks.Labels(labels.Span, logProbabilities.Shape.Rows, logProbabilities.Shape.Columns, allowUnlabelled: true);
        loss.Span[0] = LossKernels.Nll(logProbabilities.Span, logProbabilities.Shape.Columns, labels.Span, smoothing, out int labelled) * weight;
        if (!labelledCount.IsEmpty) labelledCount.Span[0] = labelled;
    }

    /// <inheritdoc />
    public void SoftmaxCrossEntropyBackward(Tensor dLogits, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor scale,
        bool accumulate = true, Tensor labelledCount = default, float factor = 1f)
    {
        Check(dLogits, nameof(dLogits), logProbabilities, nameof(logProbabilities));
        ComputeChecks.Owned(this, labels, nameof(labels));
        float s = ScalarOf(scale, nameof(scale)) * factor;
        ComputeChecks.SameShape(logProbabilities, nameof(logProbabilities), dLogits, nameof(dLogits));
        ComputeChecks.Labels(labels.Span, logProbabilities.Shape.Rows, logProbabilities.Shape.Columns, allowUnlabelled: true);
        int labelled = labelledCount.IsEmpty ? LossKernels.LabelledRows(labels.Span) : (int)ScalarOf(labelledCount, nameof(labelledCount));
        LossKernels.SoftmaxCrossEntropyBackward(CpuKernels.Path, dLogits.Span, logProbabilities.Span, logProbabilities.Shape.Columns,
            labels.Span, smoothing, s, labelled, accumulate);
    }

    /// <inheritdoc />
    public void KlDivergenceWithGradient(Tensor loss, Tensor dStudent, Tensor dTeacher, Tensor studentLogits, Tensor teacherLogits,
        float temperature, float weight = 1f)
    {
        Check(loss, nameof(loss), dStudent, nameof(dStudent));
        Check(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));
        ComputeChecks.SameShape(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));
        ComputeChecks.SameShape(studentLogits, nameof(studentLogits), dStudent, nameof(dStudent));
        if (!dTeacher.IsEmpty)
        {
            ComputeChecks.Owned(this, dTeacher, nameof(dTeacher));
            ComputeChecks.SameShape(teacherLogits, nameof(teacherLogits), dTeacher, nameof(dTeacher));
        }
        ComputeChecks.Temperature(temperature);
        loss.Span[0] = studentLogits.Length == 0 ? 0f : KlDivergenceKernel.Run(CpuKernels.Path, MemoryOf(dStudent),
            dTeacher.IsEmpty ? default : MemoryOf(dTeacher), MemoryOf(studentLogits), MemoryOf(teacherLogits),
            studentLogits.Shape.Columns, temperature) * weight;
    }

    /// <inheritdoc />
    public void BceWithLogits(Tensor loss, Tensor logits, Tensor targets)
    {
        Check(loss, nameof(loss), logits, nameof(logits));
        ComputeChecks.Owned(this, targets, nameof(targets));
        ComputeChecks.SameShape(logits, nameof(logits), targets, nameof(targets));
        loss.Span[0] = LossKernels.BceWithLogits(logits.Span, targets.Span);
    }

    /// <inheritdoc />
    public void BceWithLogitsBackward(Tensor dLogits, Tensor dTargets, Tensor logits, Tensor targets, Tensor scale)
    {
        Check(logits, nameof(logits), targets, nameof(targets));
        float s = ScalarOf(scale, nameof(scale));
        ComputeChecks.SameShape(logits, nameof(logits), targets, nameof(targets));
        if (!dLogits.IsEmpty) ComputeChecks.SameShape(logits, nameof(logits), dLogits, nameof(dLogits));
        if (!dTargets.IsEmpty) ComputeChecks.SameShape(targets, nameof(targets), dTargets, nameof(dTargets));
        if (logits.Length == 0) return;
        LossKernels.BceWithLogitsBackward(dLogits.IsEmpty ? default : dLogits.Span, dTargets.IsEmpty ? default : dTargets.Span,
            logits.Span, targets.Span, s);
    }

    /// <inheritdoc />
    public void SumOfSquares(Tensor result, Tensor x, float scale)
    {
        Check(result, nameof(result), x, nameof(x));
        double sum = 0;
        foreach (float v in x.Span) sum += (double)v * v;
        result.Span[0] = (float)(scale * sum);
    }

    /// <inheritdoc />
    public void DropoutMask(Tensor mask, float p, ulong seed, ulong stream)
    {
        ComputeChecks.Owned(this, mask, nameof(mask));
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"The dropout probability must be in [0, 1); got {p}.");
        float keep = 1f / (1f - p);
        Span<float> m = mask.Span;
        for (int i = 0; i < m.Length; i++)
        {
            float u = (Rng.Hash(seed, stream, (ulong)i) >> 40) * (1f / (1 << 24));
            m[i] = u < p ? 0f : keep;
        }
    }

    /// <inheritdoc />
    public void AdamUpdate(Tensor parameter, Tensor gradient, Tensor m, Tensor v, AdamStep step)
    {
        Check(parameter, nameof(parameter), gradient, nameof(gradient));
        Check(m, nameof(m), v, nameof(v));
        ComputeChecks.SameLength(parameter, nameof(parameter), gradient, nameof(gradient));
        ComputeChecks.SameLength(parameter, nameof(parameter), m, nameof(m));
        ComputeChecks.SameLength(parameter, nameof(parameter), v, nameof(v));
        OptimizerKernels.Adam(CpuKernels.Path, MemoryOf(parameter), MemoryOf(gradient), MemoryOf(m), MemoryOf(v), step);
    }

    /// <inheritdoc />
    public void SgdUpdate(Tensor parameter, Tensor gradient, Tensor momentumBuffer, SgdStep step)
    {
        Check(parameter, nameof(parameter), gradient, nameof(gradient));
        ComputeChecks.SameLength(parameter, nameof(parameter), gradient, nameof(gradient));
        if (step.Momentum != 0f)
        {
            ComputeChecks.Owned(this, momentumBuffer, nameof(momentumBuffer));
            ComputeChecks.SameLength(parameter, nameof(parameter), momentumBuffer, nameof(momentumBuffer));
        }
        OptimizerKernels.Sgd(CpuKernels.Path, MemoryOf(parameter), MemoryOf(gradient), step.Momentum != 0f ? MemoryOf(momentumBuffer) : default, step);
    }

    // The kernels that split work over the worker pool take memory rather than spans, which cannot cross threads.
    private static Memory<float> MemoryOf(Tensor t)
    {
        var cpu = (CpuStorage)t.Storage;
        return cpu.Data.AsMemory(cpu.Start + t.Offset, t.Length);
    }

    private void Check(Tensor first, string firstName, Tensor second, string secondName)
    {
        ComputeChecks.Owned(this, first, firstName);
        ComputeChecks.Owned(this, second, secondName);
    }
}
