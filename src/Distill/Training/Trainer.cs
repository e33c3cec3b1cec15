using System.Diagnostics;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Data;

namespace TinyKd.Distill.Training;

/// <summary>
/// Supervised training of a classifier with cross-entropy: for each batch, forward, loss, backward, (clip),
/// optimizer step. One <see cref="Graph"/> is reused for every step, so after the first batch a step allocates no
/// managed memory.
/// </summary>
public sealed class Trainer
{
    private readonly Module _model;
    private readonly TrainingOptions _options;
    private readonly Graph _graph = new();

    /// <summary>Prepares to train <paramref name="model"/> (its parameters are updated in place).</summary>
    public Trainer(Module model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        Optimizer = options.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(model.Parameters(), options.LearningRate, options.Momentum, nesterov: options.Momentum > 0f, weightDecay: options.WeightDecay),
            OptimizerKind.AdamW => new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay),
            _ => new Adam(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay),
        };
    }

    /// <summary>The optimizer, with its state.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs. <paramref name="progress"/> is called after every
    /// batch and at the end of each epoch; <paramref name="validation"/>, when given, is scored after each epoch.
    /// </summary>
    /// <exception cref="ArgumentException">The data's width or class count does not fit the model.</exception>
    /// <exception cref="ArithmeticException">The loss became NaN or infinite (the message names epoch and batch).</exception>
    public IReadOnlyList<EpochResult> Fit(Dataset train, Dataset? validation = null, Action<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var loader = new BatchLoader(train, _options.BatchSize, _options.Seed);
        LrSchedule schedule = CreateSchedule(loader.BatchesPerEpoch);
        var predictions = new int[_options.BatchSize];
        var history = new List<EpochResult>(_options.Epochs);
        _model.Train();
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            loader.StartEpoch(epoch);
            long start = Stopwatch.GetTimestamp();
            double lossSum = 0;
            int correct = 0, seen = 0, batchIndex = 0;
            while (loader.Next(out Batch batch))
            {
                schedule.Apply(Optimizer, Optimizer.StepCount);
                float loss = Step(batch, predictions, out int batchCorrect);
                if (!float.IsFinite(loss))
                    throw new ArithmeticException(
                        $"The training loss became {loss} at epoch {epoch}, batch {batchIndex + 1}; try a lower learning rate (now {Optimizer.LearningRate}) or --clip-grad.");
                batchIndex++;
                lossSum += loss * batch.Count;
                correct += batchCorrect;
                seen += batch.Count;
                progress?.Invoke(new TrainingProgress(epoch, _options.Epochs, batchIndex, loader.BatchesPerEpoch,
                    lossSum / seen, (double)correct / seen, seen / Stopwatch.GetElapsedTime(start).TotalSeconds, false));
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double? validationAccuracy = validation is null ? null : Evaluation.Run(_model, validation).Accuracy;
            var result = new EpochResult(epoch, lossSum / seen, (double)correct / seen, validationAccuracy, seconds, seen / seconds);
            history.Add(result);
            progress?.Invoke(new TrainingProgress(epoch, _options.Epochs, batchIndex, loader.BatchesPerEpoch,
                result.TrainLoss, result.TrainAccuracy, result.SamplesPerSecond, true, validationAccuracy));
        }
        return history;
    }

    /// <summary>
    /// One optimisation step on <paramref name="batch"/>; returns the loss and counts correct predictions. A NaN or
    /// infinite loss is returned without touching the weights.
    /// </summary>
    public float Step(Batch batch, Span<int> predictions, out int correct)
    {
        _graph.Reset();
        Variable logits = _model.Forward(_graph.Input(batch.Features));
        if (logits.Shape[1] <= 0 || logits.Shape[0] != batch.Count)
            throw new ArgumentException($"The model produced {logits.Shape} for a batch of {batch.Count}.", nameof(batch));
        Variable loss = Losses.CrossEntropy(logits, batch.Labels, _options.LabelSmoothing);
        float value = loss.Item();
        correct = 0;
        if (!float.IsFinite(value)) return value;
        Optimizer.ZeroGrad();
        loss.Backward();
        if (_options.ClipGradNorm is { } maxNorm) Optimizer.ClipGradNorm(maxNorm);
        Optimizer.Step();

        Span<int> predicted = predictions[..batch.Count];
        logits.Data.Backend.ArgMax(logits.Data, predicted);
        ReadOnlySpan<int> labels = batch.Labels.Span;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == labels[i]) correct++;
        return value;
    }

    private LrSchedule CreateSchedule(int batchesPerEpoch)
    {
        long total = Math.Max(1L, (long)batchesPerEpoch * _options.Epochs);
        LrSchedule schedule = _options.Schedule switch
        {
            ScheduleKind.Cosine => new CosineLr(_options.LearningRate, total),
            ScheduleKind.Step => new StepLr(_options.LearningRate, Math.Max(1, total / 3)),
            _ => new ConstantLr(_options.LearningRate),
        };
        return _options.WarmupSteps > 0 ? new WarmupLr(schedule, _options.WarmupSteps) : schedule;
    }
}
