using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Optimizer updates, one fused pass over parameter, gradient and state: each element is read and written once,
/// so the update runs at memory bandwidth. The operator structs perform the float operations of
/// <see cref="OptimizerReference"/> (PyTorch's single-tensor implementations) in the same order, without FMA
/// contraction, so every path matches the reference bit for bit. Large tensors are split into fixed chunks run on
/// the worker pool; elements are independent, so the result does not depend on the thread count.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>Elements per parallel task: a few hundred KiB of the four streams per chunk.</summary>
    private const int ElementsPerTask = 32 * 1024;

    internal static void Adam(KernelPath path, Memory<float> p, ReadOnlyMemory<float> g, Memory<float> m, Memory<float> v, AdamStep s) =>
        Run(path, new AdamOperator(s), p, g, m, v);

    internal static void Sgd(KernelPath path, Memory<float> p, ReadOnlyMemory<float> g, Memory<float> buf, SgdStep s)
    {
        if (s.Momentum == 0f) Run(path, new SgdOperator(s), p, g, default, default);
        else Run(path, new SgdMomentumOperator(s), p, g, buf, default);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOp>(KernelPath path, TOp op, Memory<float> p, ReadOnlyMemory<float> g, Memory<float> s1, Memory<float> s2)
        where TOp : struct, IUpdateOperator
    {
        int tasks = (p.Length + ElementsPerTask - 1) / ElementsPerTask;
        if (tasks <= 1)
        {
            VectorLoop.Update(path, op, p.Span, g.Span, s1.Span, s2.Span);
            return;
        }
        UpdateJob<TOp> job = UpdateJob<TOp>.t_cached ??= new UpdateJob<TOp>();
        (job.Path, job.Op, job.P, job.G, job.S1, job.S2) = (path, op, p, g, s1, s2);
        WorkerPool.Run(job, tasks);
        (job.P, job.G, job.S1, job.S2) = (default, default, default, default);
    }

    private sealed class UpdateJob<TOp> : ParallelJob where TOp : struct, IUpdateOperator
    {
        [ThreadStatic] internal static UpdateJob<TOp>? t_cached;
        internal KernelPath Path;
        internal TOp Op;
        internal Memory<float> P, S1, S2;
        internal ReadOnlyMemory<float> G;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int task)
        {
            int start = task * ElementsPerTask, length = Math.Min(ElementsPerTask, P.Length - start);
            VectorLoop.Update(Path, Op, P.Span.Slice(start, length), G.Span.Slice(start, length),
                TOp.StateCount >= 1 ? S1.Span.Slice(start, length) : default, TOp.StateCount >= 2 ? S2.Span.Slice(start, length) : default);
        }
    }
}

/// <summary>
/// One Adam/AdamW step of an element: s1 = m, s2 = v. PyTorch 1.13: bias corrections in double; step_size = lr/bc1;
/// denom = √v/√bc2 + ε; p −= step_size·m/denom; AdamW scales p by 1 − lr·wd first, Adam adds wd·p to g.
/// </summary>
internal readonly struct AdamOperator : IUpdateOperator
{
    private readonly float _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _stepSize, _bc2Sqrt, _epsilon, _decay, _l2;
    private readonly bool _hasL2;

    public AdamOperator(AdamStep s)
    {
        double bc1 = 1.0 - Math.Pow(s.Beta1, s.Step);
        double bc2 = 1.0 - Math.Pow(s.Beta2, s.Step);
        (_beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2) = (s.Beta1, s.Beta2, 1f - s.Beta1, 1f - s.Beta2);
        _stepSize = (float)(s.LearningRate / bc1);
        _bc2Sqrt = (float)Math.Sqrt(bc2);
        _epsilon = s.Epsilon;
        _decay = s.Decoupled ? 1f - s.LearningRate * s.WeightDecay : 1f;
        _hasL2 = !s.Decoupled && s.WeightDecay != 0f;
        _l2 = s.WeightDecay;
    }

    public static int StateCount => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float p, float g, ref float m, ref float v)
    {
        float gi = _hasL2 ? g + _l2 * p : g;
        float pi = p * _decay;
        m = m * _beta1 + _oneMinusBeta1 * gi;
        v = v * _beta2 + _oneMinusBeta2 * gi * gi;
        float denom = MathF.Sqrt(v) / _bc2Sqrt + _epsilon;
        p = pi - _stepSize * (m / denom);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
    {
        Vector256<float> gi = _hasL2 ? g + _l2 * p : g;
        Vector256<float> pi = p * _decay;
        m = m * _beta1 + _oneMinusBeta1 * gi;
        v = v * _beta2 + _oneMinusBeta2 * gi * gi;
        Vector256<float> denom = Vector256.Sqrt(v) / _bc2Sqrt + Vector256.Create(_epsilon);
        p = pi - _stepSize * (m / denom);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
    {
        Vector512<float> gi = _hasL2 ? g + _l2 * p : g;
        Vector512<float> pi = p * _decay;
        m = m * _beta1 + _oneMinusBeta1 * gi;
        v = v * _beta2 + _oneMinusBeta2 * gi * gi;
        Vector512<float> denom = Vector512.Sqrt(v) / _bc2Sqrt + Vector512.Create(_epsilon);
        p = pi - _stepSize * (m / denom);
    }
}

/// <summary>Plain SGD (no momentum): d = g + wd·p; p −= lr·d.</summary>
internal readonly struct SgdOperator(SgdStep s) : IUpdateOperator
{
    private readonly float _learningRate = s.LearningRate, _weightDecay = s.WeightDecay;

    public static int StateCount => 0;

    public void Invoke(ref float p, float g, ref float unused1, ref float unused2) =>
        p -= _learningRate * (_weightDecay != 0f ? g + _weightDecay * p : g);

    public void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> unused1, ref Vector256<float> unused2) =>
        p -= _learningRate * (_weightDecay != 0f ? g + _weightDecay * p : g);

    public void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> unused1, ref Vector512<float> unused2) =>
        p -= _learningRate * (_weightDecay != 0f ? g + _weightDecay * p : g);
}

/// <summary>
/// SGD with momentum, s1 = the momentum buffer: d = g + wd·p; buf = d (first step) or μ·buf + (1−τ)·d;
/// d = d + μ·buf (Nesterov) or buf; p −= lr·d.
/// </summary>
internal readonly struct SgdMomentumOperator(SgdStep s) : IUpdateOperator
{
    private readonly float _learningRate = s.LearningRate, _weightDecay = s.WeightDecay, _momentum = s.Momentum,
        _oneMinusDampening = 1f - s.Dampening;
    private readonly bool _nesterov = s.Nesterov, _firstStep = s.FirstStep;

    public static int StateCount => 1;

    // Marked for inlining: left to its heuristics the JIT called each Invoke once per element or vector (the three
    // branches made them look large), spilling the loop's vectors around every call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float p, float g, ref float buf, ref float unused)
    {
        float d = _weightDecay != 0f ? g + _weightDecay * p : g;
        buf = _firstStep ? d : _momentum * buf + _oneMinusDampening * d;
        d = _nesterov ? d + _momentum * buf : buf;
        p -= _learningRate * d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> buf, ref Vector256<float> unused)
    {
        Vector256<float> d = _weightDecay != 0f ? g + _weightDecay * p : g;
        buf = _firstStep ? d : _momentum * buf + _oneMinusDampening * d;
        d = _nesterov ? d + _momentum * buf : buf;
        p -= _learningRate * d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> buf, ref Vector512<float> unused)
    {
        Vector512<float> d = _weightDecay != 0f ? g + _weightDecay * p : g;
        buf = _firstStep ? d : _momentum * buf + _oneMinusDampening * d;
        d = _nesterov ? d + _momentum * buf : buf;
        p -= _learningRate * d;
    }
}

/// <summary>
/// PyTorch 1.13 SparseAdam on one element: the moments move by increments, m += (g − m)(1 − β1) and
/// v += (g² − v)(1 − β2), the step size folds both bias corrections, and ε is added to √v before the division.
/// </summary>
internal readonly struct SparseAdamOperator : IUpdateOperator
{
    private readonly float _oneMinusBeta1, _oneMinusBeta2, _negativeStepSize, _epsilon;

    public SparseAdamOperator(AdamStep s)
    {
        double bc1 = 1.0 - Math.Pow(s.Beta1, s.Step);
        double bc2 = 1.0 - Math.Pow(s.Beta2, s.Step);
        (_oneMinusBeta1, _oneMinusBeta2) = (1f - s.Beta1, 1f - s.Beta2);
        _negativeStepSize = -(float)(s.LearningRate * Math.Sqrt(bc2) / bc1);
        _epsilon = s.Epsilon;
    }

    public static int StateCount => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float p, float g, ref float m, ref float v)
    {
        m += (g - m) * _oneMinusBeta1;
        v += (g * g - v) * _oneMinusBeta2;
        p += _negativeStepSize * (m / (MathF.Sqrt(v) + _epsilon));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
    {
        m += (g - m) * _oneMinusBeta1;
        v += (g * g - v) * _oneMinusBeta2;
        p += _negativeStepSize * (m / (Vector256.Sqrt(v) + Vector256.Create(_epsilon)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
    {
        m += (g - m) * _oneMinusBeta1;
        v += (g * g - v) * _oneMinusBeta2;
        p += _negativeStepSize * (m / (Vector512.Sqrt(v) + Vector512.Create(_epsilon)));
    }
}
