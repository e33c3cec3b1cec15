using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;

namespace TinyKd.Distill.Pruning;

/// <summary>The fine-tuning budget of a pruning run.</summary>
/// <param name="Sparsity">The final sparsity s_f, in [0, 1).</param>
/// <param name="Steps">Pruning steps n of the cubic schedule (1 = one-shot: prune to s_f at once, then fine-tune).</param>
/// <param name="EpochsPerStep">Fine-tuning epochs after each pruning step (Δt, counted in epochs; 0 = no fine-tuning).</param>
/// <param name="RecoveryEpochs">Extra fine-tuning epochs after the last pruning step.</param>
public sealed record PruningSchedule(double Sparsity, int Steps = 1, int EpochsPerStep = 0, int RecoveryEpochs = 0)
{
    /// <summary>Total fine-tuning epochs: n·Δt + recovery.</summary>
    public int TotalEpochs => Steps * EpochsPerStep + RecoveryEpochs;

    /// <summary>Throws with the offending value named when the schedule is out of range.</summary>
    public void Validate()
    {
        if (!(Sparsity >= 0 && Sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(Sparsity), $"The sparsity must be in [0, 1); got {Sparsity}.");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), $"Pruning steps must be ≥ 1; got {Steps}.");
        if (EpochsPerStep < 0) throw new ArgumentOutOfRangeException(nameof(EpochsPerStep), $"Epochs per step must be ≥ 0; got {EpochsPerStep}.");
        if (RecoveryEpochs < 0) throw new ArgumentOutOfRangeException(nameof(RecoveryEpochs), $"Recovery epochs must be ≥ 0; got {RecoveryEpochs}.");
    }
}

/// <summary>
/// Magnitude pruning with fine-tuning between steps: at step k = 1 … n the model is pruned to the cubic schedule's
/// s_k (<see cref="SparsitySchedule"/> from 0 to s_f, Δt = one stage), then fine-tuned for the stage's epochs with the
/// masks attached to the optimizer, so pruned weights stay exactly 0. The fine-tuning distils from the teachers when
/// any are given (<see cref="Distiller"/>), else trains on the labels. One step is one-shot pruning.
/// </summary>
public static class GradualPruner
{
    /// <summary>Prunes <paramref name="model"/> in place and returns its masks (the weights end masked).</summary>
    /// <param name="model">A dense MLP, pruned and fine-tuned in place.</param>
    /// <param name="options">Granularity, threshold scope, output layer.</param>
    /// <param name="schedule">Final sparsity, steps and epochs.</param>
    /// <param name="training">The fine-tuning recipe; its <see cref="TrainingOptions.Epochs"/> is replaced by each stage's,
    /// stage k uses seed <c>Seed + k</c> for its batch order, and only a non-finite loss counts as divergence (see
    /// <see cref="TrainingOptions.AllowDivergence"/>).</param>
    /// <param name="train">The fine-tuning data (needed when the schedule has fine-tuning epochs).</param>
    /// <param name="validation">Scored after each epoch (best weights of a stage are kept), or null.</param>
    /// <param name="teachers">Teachers to distil from during fine-tuning; empty for cross-entropy on the labels.</param>
    /// <param name="distillation">The distillation recipe with teachers (defaults when null).</param>
    /// <param name="progress">Called with (step, sparsity) after each pruning step, before its fine-tuning.</param>
    /// <exception cref="ArgumentException">Fine-tuning epochs without training data, or a bad option.</exception>
    public static PruningMask Run(Mlp model, PruningOptions options, PruningSchedule schedule, TrainingOptions training,
        Dataset? train, Dataset? validation = null, IReadOnlyList<Teacher>? teachers = null, DistillationOptions? distillation = null,
        Action<int, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(training);
        schedule.Validate();
        if (schedule.TotalEpochs > 0 && train is null)
            throw new ArgumentException($"The pruning schedule fine-tunes for {schedule.TotalEpochs} epochs but no training data was given.", nameof(train));
        var mask = new PruningMask(model, options);
        var cubic = new SparsitySchedule(0, schedule.Sparsity, 0, schedule.Steps, 1);
        for (int k = 1; k <= schedule.Steps; k++)
        {
            MagnitudePruner.Prune(mask, cubic.AfterStep(k));
            progress?.Invoke(k, mask.Sparsity);
            int epochs = schedule.EpochsPerStep + (k == schedule.Steps ? schedule.RecoveryEpochs : 0);
            // The divergence check measures a run against its first step's loss as the untrained model's; a fine-tuned
            // model starts trained (after a light pruning step its first loss is already near its best), so only
            // non-finite numbers, which always end a run, are checked here.
            if (epochs > 0)
                FineTune(model, mask, training with { Epochs = epochs, Seed = training.Seed + (ulong)k, CheckpointPath = null, Resume = false, AllowDivergence = true },
                    train!, validation, teachers, distillation);
        }
        return mask;
    }

    private static void FineTune(Mlp model, PruningMask mask, TrainingOptions training, Dataset train, Dataset? validation,
        IReadOnlyList<Teacher>? teachers, DistillationOptions? distillation)
    {
        Trainer trainer = Distiller.FineTuner(model, teachers, distillation, training);
        Optimizer optimizer = trainer.Optimizer;
        mask.Attach(optimizer);
        trainer.Fit(train, validation);
    }
}
