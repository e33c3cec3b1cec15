using TinyKd.Autograd.Nn;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;

using TinyKd.Distill.Pruning;

namespace TinyKd.Distill.Pipeline;

/// <summary>The two situations the pipeline compares distillation in.</summary>
public enum Scenario
{
    /// <summary>Every training label is available to every model.</summary>
    AllLabels,
    /// <summary>
    /// Only a few training samples keep their labels: the teacher and the student alone learn from those, the
    /// distilled student from them plus every other training image as an unlabelled transfer set.
    /// </summary>
    FewLabels,
}

/// <summary>The recipe of <c>tinykd pipeline</c>: the models, the budgets, the seeds and the distillation search.</summary>
public sealed record PipelineOptions
{
    /// <summary>The teacher architecture (with its dropout).</summary>
    public MlpSpec Teacher { get; init; } = MlpSpec.Parse("784-1200-1200-10", Activation.Relu, 0.5f);

    /// <summary>The student architecture, trained alone and distilled.</summary>
    public MlpSpec Student { get; init; } = MlpSpec.Parse("784-128-10");

    /// <summary>Epochs of the teacher.</summary>
    public int TeacherEpochs { get; init; } = 10;

    /// <summary>Epochs of every student (alone and distilled: the same budget).</summary>
    public int StudentEpochs { get; init; } = 20;

    /// <summary>
    /// End each trained model with the weights of its best validation epoch (the earliest on ties) instead of its last
    /// epoch's, the default: a small validation split picks a lucky epoch and can reverse the verdict.
    /// </summary>
    public bool KeepBest { get; init; }

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's base learning rate (cosine-annealed to 0 over each run).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>The seeds; every model is trained once per seed and reported as mean ± std.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1];

    /// <summary>The fraction of the labelled training data held out to pick epochs and T/α.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>In the few-labels scenario, how many training samples keep their labels (validation included).</summary>
    public int Labelled { get; init; } = 2000;

    /// <summary>The scenarios to run, in order.</summary>
    public IReadOnlyList<Scenario> Scenarios { get; init; } = [Scenario.AllLabels, Scenario.FewLabels];

    /// <summary>The temperatures searched (one value: no search over T).</summary>
    public IReadOnlyList<float> Temperatures { get; init; } = DistillationOptions.SearchTemperatures;

    /// <summary>The soft-target weights α searched.</summary>
    public IReadOnlyList<float> Alphas { get; init; } = DistillationOptions.SearchAlphas;

    /// <summary>Random ±2-pixel translation of the students' training images (28×28 inputs only).</summary>
    public bool Augment { get; init; }

    /// <summary>
    /// The sparsities of the pruned stage: each seed's distilled student is pruned to each of them (see
    /// <see cref="PruningStage"/>); empty skips the stage.
    /// </summary>
    public IReadOnlyList<double> PruneSparsities { get; init; } = [0.5, 0.8, 0.9, 0.95];

    /// <summary>The fine-tuning budget of each pruned student, in epochs over the transfer set (0: one-shot, no fine-tuning).</summary>
    public int PruneEpochs { get; init; } = 10;

    /// <summary>
    /// The served form of each pruned layer: sparse where this machine's measured crossover says it runs faster (the
    /// default; timing-dependent), or sparse wherever a weight is zero (a result that does not depend on the machine).
    /// </summary>
    public ServingLayout PrunedLayout { get; init; } = ServingLayout.Measured;

    /// <summary>
    /// The int8 stage: each seed's distilled student and its most pruned student of at most 90 % (the most pruned
    /// one when all are above) are quantized to int8 after training (dynamic activations, see
    /// <see cref="Quantization.PostTrainingQuantizer"/>).
    /// </summary>
    public bool Int8 { get; init; } = true;

    /// <summary>
    /// Keep models whose training diverged with finite numbers (the log says so) instead of ending the pipeline with a
    /// <see cref="TrainingDivergedException"/> (see <see cref="TrainingOptions.AllowDivergence"/>).
    /// </summary>
    public bool AllowDivergence { get; init; }

    /// <summary>Throws with the option named when a value is out of range.</summary>
    public void Validate()
    {
        if (TeacherEpochs < 1 || StudentEpochs < 1) throw new ArgumentOutOfRangeException(nameof(StudentEpochs), "Epochs must be ≥ 1.");
        if (Seeds.Count == 0) throw new ArgumentException("The pipeline needs at least one seed.", nameof(Seeds));
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException($"The seeds repeat: {string.Join(",", Seeds)}.", nameof(Seeds));
        if (!(ValidationFraction > 0 && ValidationFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"The validation fraction must be in (0, 0.5); got {ValidationFraction}.");
        if (Labelled < 20) throw new ArgumentOutOfRangeException(nameof(Labelled), $"The few-labels scenario needs at least 20 labelled samples; got {Labelled}.");
        if (Scenarios.Count == 0) throw new ArgumentException("No scenario to run.", nameof(Scenarios));
        if (Temperatures.Count == 0 || Temperatures.Any(t => !(t > 0f) || !float.IsFinite(t)))
            throw new ArgumentOutOfRangeException(nameof(Temperatures), $"Temperatures must be finite and > 0; got [{string.Join(", ", Temperatures)}].");
        if (Alphas.Count == 0 || Alphas.Any(a => !(a >= 0f && a <= 1f)))
            throw new ArgumentOutOfRangeException(nameof(Alphas), $"α values must be in [0, 1]; got [{string.Join(", ", Alphas)}].");
        if (PruneSparsities.Any(p => !(p > 0 && p < 1)) || PruneSparsities.Distinct().Count() != PruneSparsities.Count)
            throw new ArgumentOutOfRangeException(nameof(PruneSparsities), $"Pruning sparsities must be distinct and in (0, 1); got [{string.Join(", ", PruneSparsities)}].");
        if (PruneEpochs < 0) throw new ArgumentOutOfRangeException(nameof(PruneEpochs), $"The pruning budget must be ≥ 0 epochs; got {PruneEpochs}.");
        if (Teacher.InputSize != Student.InputSize || Teacher.OutputSize != Student.OutputSize)
            throw new ArgumentException($"The teacher {Teacher} and the student {Student} must share input and output widths.", nameof(Student));
    }
}
