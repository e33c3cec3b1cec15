using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Training;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// Trains a student against one or more frozen teachers: the <see cref="Trainer"/> loop (schedules, validation,
/// early stopping, checkpoints, augmentation) with a <see cref="DistillationObjective"/> as its loss.
/// </summary>
/// <example>
/// <code>
/// var teacher = Teacher.FromModel(ModelFile.Load("teacher.tkd").Model);
/// var student = new Mlp(MlpSpec.Parse("784-128-10"), new Rng(1));
/// var distiller = new Distiller(student, [teacher], new DistillationOptions { Temperature = ParameterSchedule.Constant(4), Alpha = ParameterSchedule.Constant(0.9f) },
///     new TrainingOptions { Epochs = 20 });
/// distiller.Fit(transferSet, validation);
/// </code>
/// </example>
public sealed class Distiller : IDisposable
{
    /// <summary>Prepares the run; the student's parameters are updated in place by <see cref="Fit"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Augmentation is on but a teacher is only precomputed logits, or the options do not fit the networks.
    /// </exception>
    public Distiller(Mlp student, IReadOnlyList<Teacher> teachers, DistillationOptions distillation, TrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        ArgumentNullException.ThrowIfNull(training);
        if (training.Augmentation is { MaxShift: > 0 } && teachers.FirstOrDefault(t => t.Model is null) is { } fixedTeacher)
            throw new ArgumentException($"Teacher {fixedTeacher} is precomputed logits, which cannot follow augmented images; turn augmentation off.", nameof(teachers));
        Objective = new DistillationObjective(student, teachers, distillation, training.BatchSize, training.Seed);
        Trainer = new Trainer(student, training, Objective);
        Student = student;
    }

    /// <summary>
    /// The loop that fine-tunes <paramref name="model"/>: distilling from <paramref name="teachers"/> when there are any
    /// (<paramref name="distillation"/>, defaults when null), else cross-entropy on the labels — how pruning and
    /// quantization-aware training fine-tune a trained model.
    /// </summary>
    public static Trainer FineTuner(Mlp model, IReadOnlyList<Teacher>? teachers, DistillationOptions? distillation, TrainingOptions training) =>
        teachers is { Count: > 0 }
            ? new Distiller(model, teachers, distillation ?? new DistillationOptions(), training).Trainer
            : new Trainer(model, training);

    /// <summary>The student being trained.</summary>
    public Mlp Student { get; }

    /// <summary>The loss.</summary>
    public DistillationObjective Objective { get; }

    /// <summary>The loop (optimizer state, best epoch, early stopping).</summary>
    public Trainer Trainer { get; }

    /// <summary>
    /// Distils over <paramref name="transfer"/> — labelled rows get both terms, rows labelled
    /// <see cref="Dataset.Unlabelled"/> the soft targets alone — scoring <paramref name="validation"/> after each epoch.
    /// </summary>
    public IReadOnlyList<EpochResult> Fit(Dataset transfer, Dataset? validation = null, Action<TrainingProgress>? progress = null) =>
        Trainer.Fit(transfer, validation, progress);

    /// <summary>
    /// Releases the device memory of the run: the <see cref="Trainer"/>'s and the <see cref="Objective"/>'s (the
    /// student and the teachers stay). Idempotent.
    /// </summary>
    public void Dispose()
    {
        Trainer.Dispose();
        Objective.Dispose();
    }
}
