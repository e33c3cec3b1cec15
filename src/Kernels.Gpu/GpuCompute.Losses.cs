using ILGPU;
using ILGPU.Runtime;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void Softmax(Tensor y, Tensor x, float temperature, bool log)
    {
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        ComputeChecks.SameShape(x, nameof(x), y, nameof(y));
        ComputeChecks.Temperature(temperature);
        if (x.Length > 0) _kernels.Softmax(WarpPerRow(x.Shape.Rows), yv, xv, x.Shape.Rows, x.Shape.Columns, temperature, log ? 1 : 0);
    }

    /// <inheritdoc />
    public void SoftmaxBackward(Tensor dx, Tensor y, Tensor dy, float temperature, bool log)
    {
        ArrayView<float> dxv = View(dx, nameof(dx)), yv = View(y, nameof(y)), dyv = View(dy, nameof(dy));
        ComputeChecks.SameShape(y, nameof(y), dx, nameof(dx));
        ComputeChecks.SameShape(y, nameof(y), dy, nameof(dy));
        ComputeChecks.Temperature(temperature);
        if (y.Length > 0) _kernels.SoftmaxBackward(WarpPerRow(y.Shape.Rows), dxv, yv, dyv, y.Shape.Rows, y.Shape.Columns, temperature, log ? 1 : 0);
    }

    // The launch of a row kernel that gives each of rows a warp: groups of the backend's size, as many rows per group as warps.
    private KernelConfig WarpPerRow(int rows)
    {
        int perGroup = Math.Max(1, _groupSize / _accelerator.WarpSize);
        return new KernelConfig((rows + perGroup - 1) / perGroup, perGroup * _accelerator.WarpSize);
    }

    /// <inheritdoc />
    public void ArgMax(Tensor x, IntTensor indices)
    {
        ArrayView<float> xv = View(x, nameof(x));
        ArrayView<int> result = View(indices, nameof(indices));
        if (indices.Length != x.Shape.Rows || x.Shape.Columns == 0)
            throw new ArgumentException($"ArgMax of {x.Shape} needs {x.Shape.Rows} indices and non-empty rows; got {indices.Length}.", nameof(indices));
        if (indices.Length > 0) _kernels.ArgMax(indices.Length, result, xv, x.Shape.Columns);
    }

    /// <summary>
    /// As <see cref="ICompute.NllLoss"/>, with the labels where they live, in one launch of one group: the row terms, their
    /// sum, the labelled count and the division by it (0 when no row is labelled) all happen on the device, and the count
    /// goes to <paramref name="labelledCount"/> when one is given.
    /// </summary>
    public void NllLoss(Tensor loss, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor labelledCount = default, float weight = 1f)
    {
        ArrayView<float> lossView = ScalarView(loss, nameof(loss)), logp = View(logProbabilities, nameof(logProbabilities));
        ArrayView<float> count = labelledCount.IsEmpty ? default : ScalarView(labelledCount, nameof(labelledCount));
        ArrayView<int> labelView = View(labels, nameof(labels));
        int rows = logProbabilities.Shape.Rows;
        if (labels.Length != rows)
            throw new ArgumentException($"There are {labels.Length} labels for {rows} rows of logits.", nameof(labels));
        if (rows == 0)
        {
            Fill(loss, 0f);
            if (!labelledCount.IsEmpty) Fill(labelledCount, 0f);
            return;
        }
        if (labelledCount.IsEmpty) count = Scratch(1);
        int warps = Math.Max(1, _groupSize / _accelerator.WarpSize);
        _kernels.NllLoss(new KernelConfig(1, _groupSize, SharedMemoryConfig.RequestDynamic<float>(2 * warps)),
            lossView, count, logp, labelView, rows, logProbabilities.Shape.Columns, smoothing, weight);
    }

    /// <summary>
    /// As <see cref="ICompute.SoftmaxCrossEntropyBackward"/>, with the labelled rows counted on the device unless
    /// <paramref name="labelledCount"/> brings the forward's count (then one launch instead of two).
    /// </summary>
    public void SoftmaxCrossEntropyBackward(Tensor dLogits, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor scale,
        bool accumulate = true, Tensor labelledCount = default, float factor = 1f)
    {
        ArrayView<float> d = View(dLogits, nameof(dLogits)), logp = View(logProbabilities, nameof(logProbabilities));
        ArrayView<float> s = ScalarView(scale, nameof(scale));
        ArrayView<float> count = labelledCount.IsEmpty ? default : ScalarView(labelledCount, nameof(labelledCount));
        ArrayView<int> labelView = View(labels, nameof(labels));
        ComputeChecks.SameShape(logProbabilities, nameof(logProbabilities), dLogits, nameof(dLogits));
        int rows = logProbabilities.Shape.Rows;
        if (labels.Length != rows)
            throw new ArgumentException($"There are {labels.Length} labels for {rows} rows of logits.", nameof(labels));
        if (dLogits.Length == 0) return;
        if (labelledCount.IsEmpty)
        {
            count = Scratch(1);
            _kernels.LabelledCount(1, count, labelView, rows);
        }
        _kernels.CrossEntropyBackward(dLogits.Length, d, logp, labelView, s, factor, logProbabilities.Shape.Columns, smoothing, count, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void KlDivergenceWithGradient(Tensor loss, Tensor dStudent, Tensor dTeacher, Tensor studentLogits, Tensor teacherLogits,
        float temperature, float weight = 1f)
    {
        ArrayView<float> lossView = ScalarView(loss, nameof(loss)), ds = View(dStudent, nameof(dStudent)), dt = View(dTeacher, nameof(dTeacher));
        ArrayView<float> s = View(studentLogits, nameof(studentLogits)), t = View(teacherLogits, nameof(teacherLogits));
        ComputeChecks.SameShape(studentLogits, nameof(studentLogits), teacherLogits, nameof(teacherLogits));
        ComputeChecks.SameShape(studentLogits, nameof(studentLogits), dStudent, nameof(dStudent));
        if (!dTeacher.IsEmpty) ComputeChecks.SameShape(teacherLogits, nameof(teacherLogits), dTeacher, nameof(dTeacher));
        ComputeChecks.Temperature(temperature);
        int rows = studentLogits.Shape.Rows;
        if (studentLogits.Length == 0)
        {
            Fill(loss, 0f);
            return;
        }
        ArrayView<float> kl = Scratch(rows);
        _kernels.KlRows(WarpPerRow(rows), kl, ds, dt.Length > 0 ? dt : ds, s, t, rows, studentLogits.Shape.Columns, temperature,
            (float)(1.0 / ((double)temperature * rows)), dTeacher.IsEmpty ? 0 : 1);
        Sum(lossView, kl, rows, weight / rows, squares: false);
    }

    /// <inheritdoc />
    public void BceWithLogits(Tensor loss, Tensor logits, Tensor targets)
    {
        ArrayView<float> lossView = ScalarView(loss, nameof(loss)), x = View(logits, nameof(logits)), y = View(targets, nameof(targets));
        ComputeChecks.SameShape(logits, nameof(logits), targets, nameof(targets));
        if (logits.Length == 0)
        {
            Fill(loss, 0f);
            return;
        }
        ArrayView<float> terms = Scratch(logits.Length);
        _kernels.BceTerms(logits.Length, terms, x, y);
        Sum(lossView, terms, logits.Length, 1f / logits.Length, squares: false);
    }

    /// <inheritdoc />
    public void BceWithLogitsBackward(Tensor dLogits, Tensor dTargets, Tensor logits, Tensor targets, Tensor scale)
    {
        ArrayView<float> dx = View(dLogits, nameof(dLogits)), dy = View(dTargets, nameof(dTargets));
        ArrayView<float> x = View(logits, nameof(logits)), y = View(targets, nameof(targets)), s = ScalarView(scale, nameof(scale));
        ComputeChecks.SameShape(logits, nameof(logits), targets, nameof(targets));
        if (!dLogits.IsEmpty) ComputeChecks.SameShape(logits, nameof(logits), dLogits, nameof(dLogits));
        if (!dTargets.IsEmpty) ComputeChecks.SameShape(targets, nameof(targets), dTargets, nameof(dTargets));
        if (logits.Length == 0) return;
        int flags = (dLogits.IsEmpty ? 0 : 1) | (dTargets.IsEmpty ? 0 : 2);
        _kernels.BceBackward(logits.Length, dLogits.IsEmpty ? x : dx, dTargets.IsEmpty ? x : dy, x, y, s, logits.Length, flags);
    }

    /// <inheritdoc />
    public void SumOfSquares(Tensor result, Tensor x, float scale)
    {
        ArrayView<float> r = ScalarView(result, nameof(result)), xv = View(x, nameof(x));
        Sum(r, xv, x.Length, scale, squares: true);
    }
}
