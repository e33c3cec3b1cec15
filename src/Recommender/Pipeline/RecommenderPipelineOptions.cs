using TinyKd.Tensors;
namespace TinyKd.Recommender;

/// <summary>
/// What <c>tinykd recsys pipeline</c> trains: a NeuMF teacher, two students (NeuMF-small and MF) alone and distilled
/// with each ranking-distillation loss, every model with the same recipe (<see cref="Training"/>), the same number
/// of steps and the same seeds.
/// </summary>
public sealed record RecommenderPipelineOptions
{
    /// <summary>Every model is trained once per seed; the split does not depend on it.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1, 2, 3];

    /// <summary>The shared recipe (epochs, batch, negatives, learning rate, α, T, K, λ, m, list size). Seed and losses are set per model.</summary>
    public RecommenderTrainingOptions Training { get; init; } = new();

    /// <summary>The teacher's widths.</summary>
    public NeuMFSpec Teacher { get; init; } = new(64, 16, [256, 128, 64]);

    /// <summary>The NeuMF student's widths.</summary>
    public NeuMFSpec Student { get; init; } = new(8, 4, [16]);

    /// <summary>The MF student's embedding width.</summary>
    public int MfWidth { get; init; } = 16;

    /// <summary>The distillation losses each student is trained with (besides alone).</summary>
    public IReadOnlyList<RankingDistillation> Distillations { get; init; } =
        [RankingDistillation.SoftBce, RankingDistillation.RankDistill, RankingDistillation.Listwise];

    /// <summary>Validation NDCG@10 after every epoch (the training curves); otherwise none is computed.</summary>
    public bool ValidateEachEpoch { get; init; } = true;

    /// <summary>
    /// Every model ends with the weights of its best validation epoch (validation NDCG@10 over <see cref="CurveUsers"/>)
    /// instead of its last. Off by default: with one held-out item per user, NDCG@10 over a few hundred users is too
    /// noisy to choose among epochs (on MovieLens it kept lucky early epochs whose test NDCG@10 and AUC were lower than
    /// the last epoch's). Needs <see cref="ValidateEachEpoch"/>.
    /// </summary>
    public bool KeepBestEpoch { get; init; }

    /// <summary>
    /// How many evaluated users (spread evenly over them) the per-epoch validation ranks: the curves show the trend,
    /// and ranking every item for every user after each epoch would cost as much as training the teacher.
    /// </summary>
    public int CurveUsers { get; init; } = 200;

    /// <summary>Where the first seed's models are saved (.tkd), or null to save them to a temporary folder only to weigh them.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>
    /// The backend the models train and are evaluated on (null: the CPU). Each is built on the CPU from its seed and
    /// moved, so every backend starts from the same weights; after its test evaluation it moves back to the CPU for the
    /// int8 stage, its model file and the serving latency, which are CPU measurements.
    /// </summary>
    public ICompute? Backend { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Seeds.Count == 0) throw new ArgumentException("The pipeline needs at least one seed.", nameof(Seeds));
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException($"Seeds repeat: {string.Join(",", Seeds)}.", nameof(Seeds));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MfWidth, nameof(MfWidth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CurveUsers, nameof(CurveUsers));
        if (KeepBestEpoch && !ValidateEachEpoch)
            throw new ArgumentException("Keeping the best epoch needs the validation after every epoch.", nameof(KeepBestEpoch));
        if (Distillations.Contains(RankingDistillation.None))
            throw new ArgumentException("'none' is the student alone, which the pipeline always trains; list only distillation losses.", nameof(Distillations));
        Training.Validate();
    }

    /// <summary>The recipe in one line for the report.</summary>
    public string Describe()
    {
        RecommenderTrainingOptions t = Training;
        return $"Adam {t.LearningRate:G3} (lazy for embedding tables), batch {t.BatchSize} positives × {t.Negatives} sampled negatives, " +
               $"{t.Epochs} epochs for every model{(KeepBestEpoch ? $" (the best validation-NDCG@10 epoch kept, {CurveUsers} validation users)" : "")}, loss {RankingLossNames.Name(t.Loss)}; distillation α {t.Alpha:G3}, T {t.Temperature:G3}, " +
               $"rank-distill K {t.TopK} λ {t.RankDecay:G3} m {t.RankSamples}, listwise over {1 + t.Negatives + t.ListExtra} candidates; " +
               "teacher scores cached once per seed.";
    }
}
