namespace TinyKd.Autograd.Optim;

/// <summary>A learning rate as a function of the 0-based step (the caller decides whether a step is a batch or an epoch).</summary>
public abstract class LrSchedule
{
    /// <summary>The learning rate at <paramref name="step"/>.</summary>
    public abstract float At(long step);

    /// <summary>Sets the optimizer's learning rate for <paramref name="step"/>.</summary>
    public void Apply(Optimizer optimizer, long step) => optimizer.LearningRate = At(step);
}

/// <summary>The same rate at every step.</summary>
/// <param name="learningRate">The rate.</param>
public sealed class ConstantLr(float learningRate) : LrSchedule
{
    /// <inheritdoc />
    public override float At(long step) => learningRate;
}

/// <summary>PyTorch's StepLR: the base rate times γ^⌊step / stepSize⌋.</summary>
public sealed class StepLr : LrSchedule
{
    private readonly float _base, _gamma;
    private readonly long _stepSize;

    /// <summary>Creates the schedule.</summary>
    public StepLr(float baseLearningRate, long stepSize, float gamma = 0.1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        (_base, _stepSize, _gamma) = (baseLearningRate, stepSize, gamma);
    }

    /// <inheritdoc />
    public override float At(long step) => _base * MathF.Pow(_gamma, step / _stepSize);
}

/// <summary>Cosine annealing from the base rate to <c>minLearningRate</c> over <c>totalSteps</c> (then held).</summary>
public sealed class CosineLr : LrSchedule
{
    private readonly float _base, _min;
    private readonly long _total;

    /// <summary>Creates the schedule.</summary>
    public CosineLr(float baseLearningRate, long totalSteps, float minLearningRate = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        (_base, _total, _min) = (baseLearningRate, totalSteps, minLearningRate);
    }

    /// <inheritdoc />
    public override float At(long step)
    {
        double t = Math.Min(step, _total) / (double)_total;
        return (float)(_min + (_base - _min) * 0.5 * (1 + Math.Cos(Math.PI * t)));
    }
}

/// <summary>Linear warm-up: the inner schedule's rate times (step + 1)/warmupSteps during the first steps.</summary>
public sealed class WarmupLr : LrSchedule
{
    private readonly LrSchedule _inner;
    private readonly long _warmup;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public WarmupLr(LrSchedule inner, long warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        (_inner, _warmup) = (inner, warmupSteps);
    }

    /// <inheritdoc />
    public override float At(long step) =>
        step >= _warmup ? _inner.At(step) : _inner.At(step) * (step + 1) / (float)_warmup;
}
