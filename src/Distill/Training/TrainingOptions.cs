namespace TinyKd.Distill.Training;

/// <summary>The optimizers a training run can use.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (Nesterov).</summary>
    Sgd,
    /// <summary>Adam.</summary>
    Adam,
    /// <summary>AdamW.</summary>
    AdamW,
}

/// <summary>Learning-rate schedules over the whole run (stepped every batch).</summary>
public enum ScheduleKind
{
    /// <summary>The base rate throughout.</summary>
    Constant,
    /// <summary>Multiply the rate by 0.1 after each third of the run.</summary>
    Step,
    /// <summary>Cosine annealing to zero over the run.</summary>
    Cosine,
}

/// <summary>Hyper-parameters of a supervised training run.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set (≥ 1).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step (≥ 1).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Base learning rate (&gt; 0).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Momentum for SGD.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Weight decay (L2 for SGD/Adam, decoupled for AdamW).</summary>
    public float WeightDecay { get; init; }

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>Steps of linear warm-up before the schedule.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Label smoothing of the cross-entropy, in [0, 1).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Clip the global gradient norm to this value, or null for no clipping.</summary>
    public float? ClipGradNorm { get; init; }

    /// <summary>Seed of the batch order (the model's initial weights come from its own seed).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Stop after this many epochs without a better validation accuracy (0 = train every epoch). Needs a validation set.
    /// </summary>
    public int Patience { get; init; }

    /// <summary>
    /// With a validation set, end with the weights of the epoch that scored best on it (the earliest on ties) rather
    /// than the last epoch's.
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Write a checkpoint (weights, optimizer, RNG streams, epoch, history) here after every epoch; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Continue from <see cref="CheckpointPath"/> when it exists (a killed run resumes at the epoch after the last
    /// checkpoint and ends bit-identical to an uninterrupted run); start afresh when it does not.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Keep a run that diverged with finite numbers (see <see cref="DivergenceCheck"/>) instead of failing with a
    /// <see cref="TrainingDivergedException"/>: <see cref="Trainer.Divergence"/> then says why. A NaN or infinite loss
    /// always ends the run.
    /// </summary>
    public bool AllowDivergence { get; init; }

    /// <summary>Random image translation applied to every training batch, or null for none.</summary>
    public ImageAugmentation? Augmentation { get; init; }

    /// <summary>Throws with the offending option named if a value is out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Epochs must be ≥ 1; got {Epochs}.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"Batch size must be ≥ 1; got {BatchSize}.");
        if (!(LearningRate > 0f) || float.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"Learning rate must be finite and > 0; got {LearningRate}.");
        if (!(WeightDecay >= 0f)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"Weight decay must be ≥ 0; got {WeightDecay}.");
        if (!(LabelSmoothing >= 0f && LabelSmoothing < 1f))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), $"Label smoothing must be in [0, 1); got {LabelSmoothing}.");
        if (ClipGradNorm is { } c && !(c > 0f)) throw new ArgumentOutOfRangeException(nameof(ClipGradNorm), $"Gradient clipping norm must be > 0; got {c}.");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"Warm-up steps must be ≥ 0; got {WarmupSteps}.");
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), $"Patience must be ≥ 0; got {Patience}.");
        if (Resume && CheckpointPath is null)
            throw new ArgumentException("Resuming needs a checkpoint path.", nameof(Resume));
        Augmentation?.Validate();
    }
}
