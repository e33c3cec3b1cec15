using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;

namespace TinyKd.Distill.Training;

/// <summary>Where the training loop stands at one step, for objectives whose weights follow a schedule.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimizer steps taken before this one.</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
/// <param name="Augmented">True when the batch's features were augmented (they differ from the dataset's rows).</param>
public readonly record struct StepContext(int Epoch, long Step, long TotalSteps, bool Augmented)
{
    /// <summary>The fraction of the run done before this step, in [0, 1].</summary>
    public double Progress => TotalSteps <= 0 ? 0 : Math.Clamp((double)Step / TotalSteps, 0, 1);
}

/// <summary>
/// What a training step minimises: the <see cref="Trainer"/> owns the loop (batches, optimizer, schedules,
/// validation, checkpoints) and asks the objective for the loss of each batch. Cross-entropy on labels is
/// <see cref="CrossEntropyObjective"/>; distillation from teachers is <c>DistillationObjective</c>.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>Trainable parameters the objective owns besides the model's (e.g. a hint projection), by name.</summary>
    IEnumerable<(string Name, Variable Parameter)> NamedParameters();

    /// <summary>Checks that the objective can train on <paramref name="train"/> and prepares per-sample caches.</summary>
    /// <exception cref="ArgumentException">The data does not fit the objective (names the mismatch).</exception>
    void Prepare(Dataset train);

    /// <summary>
    /// Runs the model on <paramref name="batch"/> in <paramref name="graph"/> and returns the scalar loss to minimise;
    /// <paramref name="logits"/> receives the model's output [B, C] (for training accuracy).
    /// </summary>
    Variable Loss(Graph graph, Layer model, in Batch batch, in StepContext context, out Variable logits);

    /// <summary>
    /// True when the loss measures the same thing at every step, so that a later epoch's loss above an earlier one's
    /// means the run diverged; false when a schedule (a temperature or α schedule) changes it during the run.
    /// </summary>
    bool LossComparableAcrossRun => true;
}
