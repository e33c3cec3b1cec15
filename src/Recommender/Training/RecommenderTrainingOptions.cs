using TinyKd.Distill.Training;

namespace TinyKd.Recommender;

/// <summary>
/// How a recommender is trained: epochs over the training positives, each with <see cref="Negatives"/> sampled
/// unseen items, Adam (lazy for the embedding tables), the loss, and for a student the distillation term
/// L = (1 − α)·loss + α·term with its own settings. Defaults are the recipe of docs/recommender-distillation.md.
/// </summary>
public sealed record RecommenderTrainingOptions
{
    /// <summary>Passes over the training positives.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>Positives per step (each with its negatives).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Sampled negatives per positive.</summary>
    public int Negatives { get; init; } = 4;

    /// <summary>Adam's learning rate (dense and lazy alike).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Fixes the initial weights, the shuffles and the sampled items.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The student's own loss.</summary>
    public RankingLoss Loss { get; init; } = RankingLoss.Bce;

    /// <summary>The distillation term (None: no teacher).</summary>
    public RankingDistillation Distillation { get; init; } = RankingDistillation.None;

    /// <summary>α: the weight of the distillation term.</summary>
    public float Alpha { get; init; } = 0.5f;

    /// <summary>T: the temperature of soft-label BCE and of the listwise KL.</summary>
    public float Temperature { get; init; } = 2f;

    /// <summary>K: how many of the teacher's top unseen items ranking distillation uses per user.</summary>
    public int TopK { get; init; } = 10;

    /// <summary>λ: ranking distillation weighs the teacher's rank r by exp(−r/λ).</summary>
    public float RankDecay { get; init; } = 5f;

    /// <summary>m: how many of the user's top-K items ranking distillation draws per positive.</summary>
    public int RankSamples { get; init; } = 2;

    /// <summary>Extra uniformly drawn unseen items in the listwise candidate list (beyond the positive and negatives).</summary>
    public int ListExtra { get; init; } = 15;

    /// <summary>
    /// Keep a run that diverged with finite numbers (see <see cref="DivergenceCheck"/>) instead of failing with
    /// a <see cref="TrainingDivergedException"/>; <see cref="RecommenderTrainer.Divergence"/> then says why.
    /// A NaN or infinite loss always ends the run.
    /// </summary>
    public bool AllowDivergence { get; init; }

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Negatives, nameof(Negatives));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TopK, nameof(TopK));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RankSamples, nameof(RankSamples));
        ArgumentOutOfRangeException.ThrowIfNegative(ListExtra, nameof(ListExtra));
        if (!(LearningRate > 0f) || float.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The learning rate must be finite and > 0; got {LearningRate}.");
        if (!(Alpha >= 0f && Alpha <= 1f)) throw new ArgumentOutOfRangeException(nameof(Alpha), $"α must be in [0, 1]; got {Alpha}.");
        if (!(Temperature > 0f) || float.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"The temperature must be finite and > 0; got {Temperature}.");
        if (!(RankDecay > 0f)) throw new ArgumentOutOfRangeException(nameof(RankDecay), $"λ must be > 0; got {RankDecay}.");
    }

    /// <summary>Candidates per positive row beyond the loss's list: the listwise extras or the ranking-distillation draws.</summary>
    public int ExtraColumns => Distillation switch
    {
        RankingDistillation.Listwise => ListExtra,
        RankingDistillation.RankDistill => RankSamples,
        _ => 0,
    };
}
