using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The fused loss kernels: each reads log-probabilities or logits once and accumulates in double, so the loss is
/// both accurate and independent of the vector width. The softmax cross-entropy backward runs on the vector paths;
/// the distillation loss with its gradients is <see cref="KlDivergenceKernel"/>, and plain references are in
/// LossKernels.Reference.cs.
/// </summary>
/// <remarks>B = rows (batch), C = classes, N = all elements.</remarks>
internal static class LossKernels
{
    // −mean of the labelled rows' smoothed log-likelihoods (0 when none); labelled: how many rows the mean is over.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static float Nll(ReadOnlySpan<float> logp, int columns, ReadOnlySpan<int> labels, float smoothing, out int labelled)
    {
        labelled = LabelledRows(labels);
        double total = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            if (labels[r] < 0) continue;
            ReadOnlySpan<float> row = logp.Slice(r * columns, columns);
            double rowSum = 0;
            if (smoothing != 0f) foreach (float v in row) rowSum += v;
            total += (1.0 - smoothing) * row[labels[r]] + smoothing / columns * rowSum;
        }
        return labelled == 0 ? 0f : (float)(-total / labelled);
    }

    /// <summary>The rows that carry a label (unlabelled rows are negative), the divisor of the cross-entropy mean.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static int LabelledRows(ReadOnlySpan<int> labels)
    {
        int count = 0;
        foreach (int label in labels) if (label >= 0) count++;
        return count;
    }

    // dlogits += scale·(softmax − target)/B (B = labelled, the labelled rows' count; unlabelled rows are skipped), target = (1−ε)·onehot + ε/C:
    // k·(e^logp − ε/C) over the row, then −k·(1−ε) at the label. Not accumulating, the row is written instead and unlabelled rows are zeroed.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxCrossEntropyBackward(KernelPath path, Span<float> dLogits, ReadOnlySpan<float> logp, int columns,
        ReadOnlySpan<int> labels, float smoothing, float scale, int labelled, bool accumulate = true)
    {
        if (labelled == 0)
        {
            if (!accumulate) dLogits[..(labels.Length * columns)].Clear();
            return;
        }
        float k = scale / labelled;
        var op = new ScaledExpMinus(k, smoothing / columns);
        for (int r = 0; r < labels.Length; r++)
        {
            Span<float> d = dLogits.Slice(r * columns, columns);
            if (labels[r] < 0)
            {
                if (!accumulate) d.Clear();
                continue;
            }
            if (accumulate) VectorLoop.MapAdd(path, op, logp.Slice(r * columns, columns), d);
            else VectorLoop.Map(path, op, logp.Slice(r * columns, columns), d);
            d[labels[r]] -= k * (1f - smoothing);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static float BceWithLogits(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            total += Math.Max(xi, 0) - xi * y[i] + Math.Log(1 + Math.Exp(-Math.Abs(xi)));
        }
        return x.Length == 0 ? 0f : (float)(total / x.Length);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void BceWithLogitsBackward(Span<float> dx, Span<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float scale)
    {
        float k = scale / x.Length;
        for (int i = 0; i < x.Length; i++)
        {
            if (!dx.IsEmpty) dx[i] += k * (1f / (1f + MathF.Exp(-x[i])) - y[i]);
            if (!dy.IsEmpty) dy[i] -= k * x[i];
        }
    }
}

/// <summary>k·(e^x − c): the cross-entropy gradient k·(p − ε/C) from a log-probability x.</summary>
internal readonly struct ScaledExpMinus(float k, float c) : IUnaryOperator
{
    private readonly float _k = k, _c = c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => _k * (default(ExpOperator).Invoke(x) - _c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => _k * (default(ExpOperator).Invoke(x) - Vector256.Create(_c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => _k * (default(ExpOperator).Invoke(x) - Vector512.Create(_c));
}
