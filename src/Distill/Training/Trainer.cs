using System.Diagnostics;
using System.Globalization;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Distill.Training;

/// <summary>
/// The training loop: for each batch, (augment,) forward and loss through an <see cref="ITrainingObjective"/>
/// (cross-entropy unless told otherwise), backward, (clip,) optimizer step; after each epoch, validation, early
/// stopping with the best weights kept, and a checkpoint from which a killed run resumes bit-identically. One
/// <see cref="Graph"/> is reused for every step, so after the first batch a step allocates no managed memory.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Layer _model;
    private readonly TrainingOptions _options;
    private readonly ITrainingObjective _objective;
    private readonly (string Name, Variable Parameter)[] _parameters;
    private readonly Dropout[] _dropouts;
    private readonly Graph _graph;           // on the model's backend, reused for every step
    private readonly FeatureUpload _upload;  // host batches to that backend
    private IntTensor _predicted;            // the arg-max of a step's logits, on that backend
    private double _firstStepLoss = double.NaN;

    // The shifts get their own key derived from the seed, so they share no bits with the batch order's hashes.
    private const ulong AugmentationStream = 0x5348494654;

    /// <summary>Prepares to train <paramref name="model"/> (its parameters, and the objective's, are updated in place).</summary>
    /// <param name="model">The network to train.</param>
    /// <param name="options">The recipe; validated here.</param>
    /// <param name="objective">What to minimise; cross-entropy with the options' label smoothing when null.</param>
    public Trainer(Layer model, TrainingOptions options, ITrainingObjective? objective = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        _objective = objective ?? new CrossEntropyObjective(options.LabelSmoothing);
        _parameters = [.. model.NamedParameters().Select(p => ("model." + p.Name, p.Parameter)),
            .. _objective.NamedParameters().Select(p => ("objective." + p.Name, p.Parameter))];
        _dropouts = [.. model.Modules().OfType<Dropout>()];
        ICompute backend = model.Backend;
        foreach (var (name, p) in _parameters)
            if (!ReferenceEquals(p.Data.Backend, backend))
                throw new ArgumentException($"Parameter '{name}' lives on '{p.Data.Backend.Name}' but the model on '{backend.Name}'; move both with To().", nameof(objective));
        _graph = new Graph(backend);
        _upload = new FeatureUpload(backend);
        var trainable = _parameters.Select(p => p.Parameter);
        Optimizer = options.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(trainable, options.LearningRate, options.Momentum, nesterov: options.Momentum > 0f, weightDecay: options.WeightDecay),
            OptimizerKind.AdamW => new AdamW(trainable, options.LearningRate, weightDecay: options.WeightDecay),
            _ => new Adam(trainable, options.LearningRate, weightDecay: options.WeightDecay),
        };
    }

    /// <summary>The optimizer, with its state.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>After <see cref="Fit"/> with validation: the epoch whose weights the model ends with when best weights are restored (0 = none).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>After <see cref="Fit"/>: true when early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>
    /// After <see cref="Fit"/> with <see cref="TrainingOptions.AllowDivergence"/>: why the run diverged (see
    /// <see cref="DivergenceCheck"/>), or null when it did not.
    /// </summary>
    public string? Divergence { get; private set; }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs (fewer when early stopping ends the run).
    /// <paramref name="progress"/> is called after every batch and at the end of each epoch; <paramref name="validation"/>,
    /// when given, is scored after each epoch, and drives early stopping and the best weights. Rows of
    /// <paramref name="train"/> without a label are left to objectives that can use them (distillation).
    /// </summary>
    /// <returns>The summary of every epoch of the run, including epochs restored from a checkpoint.</returns>
    /// <exception cref="ArgumentException">The data does not fit the model or the objective, or patience is set without validation.</exception>
    /// <exception cref="TrainingDivergedException">
    /// The loss or the gradients became NaN or infinite (the message names epoch and batch), or — unless
    /// <see cref="TrainingOptions.AllowDivergence"/> — the finished run diverged (see <see cref="DivergenceCheck"/>).
    /// </exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is damaged or belongs to another run.</exception>
    public IReadOnlyList<EpochResult> Fit(Dataset train, Dataset? validation = null, Action<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (_options.Patience > 0 && validation is null)
            throw new ArgumentException($"Early stopping (patience {_options.Patience}) needs a validation set.", nameof(validation));
        if (_options.Augmentation is { } a && a.Height * a.Width != train.FeatureCount)
            throw new ArgumentException($"Augmentation of {a.Height}×{a.Width} images does not fit {train.FeatureCount} features of '{train.Name}'.", nameof(train));
        _objective.Prepare(train);
        var loader = new BatchLoader(train, _options.BatchSize, _options.Seed);
        long totalSteps = Math.Max(1L, (long)loader.BatchesPerEpoch * _options.Epochs);
        LrSchedule schedule = CreateSchedule(totalSteps);
        var predictions = new int[_options.BatchSize];
        // The best weights are tracked (and checkpointed) with any validation set, and restored only when asked.
        bool keepBest = validation is not null && _options.RestoreBestWeights;
        Tensor[] best = validation is not null ? _parameters.Select(p => Tensor.Zeros(p.Parameter.Shape, p.Parameter.Data.Backend)).ToArray() : [];
        string fingerprint = Fingerprint(train);
        var run = new RunState(new List<EpochResult>(_options.Epochs));
        if (_options.Resume && File.Exists(_options.CheckpointPath)) run = Restore(_options.CheckpointPath!, fingerprint, best);

        _model.Train();
        for (int epoch = run.History.Count + 1; epoch <= _options.Epochs && !run.Finished; epoch++)
        {
            EpochResult result = RunEpoch(loader, schedule, totalSteps, epoch, predictions, validation, progress);
            run.History.Add(result);
            if (result.ValidationAccuracy is { } accuracy)
            {
                if (accuracy > run.BestAccuracy)
                {
                    (run.BestAccuracy, run.BestEpoch, run.EpochsWithoutImprovement) = (accuracy, epoch, 0);
                    for (int i = 0; i < best.Length; i++) Copy(_parameters[i].Parameter.Data, best[i]);
                }
                else run.EpochsWithoutImprovement++;
            }
            StoppedEarly = _options.Patience > 0 && run.EpochsWithoutImprovement >= _options.Patience && epoch < _options.Epochs;
            run.Finished = StoppedEarly || epoch == _options.Epochs;
            if (_options.CheckpointPath is { } path) Save(path, run, fingerprint, best);
        }
        BestEpoch = keepBest ? run.BestEpoch : 0;
        if (BestEpoch > 0)
            for (int i = 0; i < best.Length; i++) Copy(best[i], _parameters[i].Parameter.Data);
        foreach (Tensor snapshot in best) DeviceMemory.Release(snapshot);
        Divergence = DivergenceCheck.Reason([.. run.History.Select(h => h.TrainLoss)], _firstStepLoss, _objective.LossComparableAcrossRun, _parameters);
        if (Divergence is not null && !_options.AllowDivergence)
            throw new TrainingDivergedException(
                $"Training diverged: {Divergence}. Try a lower learning rate (now {_options.LearningRate}) or gradient clipping.");
        return run.History;
    }

    /// <summary>
    /// One optimisation step on <paramref name="batch"/>; returns the loss and counts correct predictions among the
    /// labelled rows. A NaN or infinite loss is returned without touching the weights.
    /// </summary>
    public float Step(Batch batch, Span<int> predictions, out int correct) =>
        Step(batch, new StepContext(1, Optimizer.StepCount, 0, false), predictions, out correct, out _);

    /// <summary>
    /// One optimisation step with the loop's position (for scheduled objectives); counts the labelled rows too. The
    /// batch's features are uploaded to the model's backend first when they live elsewhere.
    /// </summary>
    public float Step(Batch batch, in StepContext context, Span<int> predictions, out int correct, out int labelled)
    {
        _graph.Reset();
        batch = _upload.Of(batch);
        Variable loss = _objective.Loss(_graph, _model, batch, context, out Variable logits);
        if (logits.Shape.Rank != 2 || logits.Shape[0] != batch.Count)
            throw new ArgumentException($"The model produced {logits.Shape} for a batch of {batch.Count}.", nameof(batch));
        float value = loss.Item();
        correct = labelled = 0;
        if (!float.IsFinite(value)) return value;
        Optimizer.ZeroGrad();
        loss.Backward();
        if (_options.ClipGradNorm is { } maxNorm) Optimizer.ClipGradNorm(maxNorm);
        Optimizer.Step();

        Span<int> predicted = predictions[..batch.Count];
        ICompute backend = logits.Data.Backend;
        if (_predicted.Length < batch.Count) _predicted = IntTensor.Zeros(batch.Count, backend);
        IntTensor onBackend = _predicted.Slice(0, batch.Count);
        backend.ArgMax(logits.Data, onBackend);
        backend.CopyToHost(onBackend, predicted);
        ReadOnlySpan<int> labels = batch.Labels.Span;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (labels[i] == Dataset.Unlabelled) continue;
            labelled++;
            if (predicted[i] == labels[i]) correct++;
        }
        return value;
    }

    private EpochResult RunEpoch(BatchLoader loader, LrSchedule schedule, long totalSteps, int epoch, int[] predictions,
        Dataset? validation, Action<TrainingProgress>? progress)
    {
        loader.StartEpoch(epoch);
        long start = Stopwatch.GetTimestamp();
        double lossSum = 0;
        int correct = 0, labelled = 0, seen = 0, batchIndex = 0;
        ImageAugmentation? augmentation = _options.Augmentation;
        ulong augmentationSeed = Rng.Hash(_options.Seed, AugmentationStream, 0);
        while (loader.Next(out Batch batch))
        {
            if (augmentation is not null)
                ImageShift.Apply(batch.Features.Span, batch.Count, augmentation.Height, augmentation.Width, batch.Indices.Span,
                    augmentationSeed, epoch, augmentation.MaxShift, augmentation.Fill);
            schedule.Apply(Optimizer, Optimizer.StepCount);
            var context = new StepContext(epoch, Optimizer.StepCount, totalSteps, augmentation is { MaxShift: > 0 });
            float loss;
            try
            {
                loss = Step(batch, context, predictions, out int batchCorrect, out int batchLabelled);
                correct += batchCorrect;
                labelled += batchLabelled;
            }
            catch (ArithmeticException e)
            {
                throw new TrainingDivergedException($"Training diverged at epoch {epoch}, batch {batchIndex + 1}: {e.Message}", e);
            }
            if (!float.IsFinite(loss))
                throw new TrainingDivergedException(
                    $"The training loss became {loss} at epoch {epoch}, batch {batchIndex + 1}; try a lower learning rate (now {Optimizer.LearningRate}) or gradient clipping.");
            if (epoch == 1 && batchIndex == 0) _firstStepLoss = loss;
            batchIndex++;
            lossSum += loss * batch.Count;
            seen += batch.Count;
            progress?.Invoke(new TrainingProgress(epoch, _options.Epochs, batchIndex, loader.BatchesPerEpoch,
                lossSum / seen, Ratio(correct, labelled), seen / Stopwatch.GetElapsedTime(start).TotalSeconds, false));
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double? validationAccuracy = validation is null ? null : Evaluation.Run(_model, validation).Accuracy;
        var result = new EpochResult(epoch, lossSum / seen, Ratio(correct, labelled), validationAccuracy, seconds, seen / seconds);
        progress?.Invoke(new TrainingProgress(epoch, _options.Epochs, batchIndex, loader.BatchesPerEpoch,
            result.TrainLoss, result.TrainAccuracy, result.SamplesPerSecond, true, validationAccuracy));
        return result;
    }

    private static double Ratio(int correct, int labelled) => labelled == 0 ? 0 : (double)correct / labelled;

    private static void Copy(Tensor from, Tensor to) => to.Backend.Copy(to, from);

    private string Fingerprint(Dataset train) =>
        FormattableString.Invariant($"{_options with { CheckpointPath = null, Resume = false, AllowDivergence = false }}; {_objective}; data {train.Count}×{train.FeatureCount}; ") +
        string.Join(",", _parameters.Select(p => $"{p.Name}{p.Parameter.Shape}"));

    private void Save(string path, RunState run, string fingerprint, Tensor[] best)
    {
        var state = new CheckpointState(run.History.Count, Optimizer.StepCount, _dropouts.Select(d => d.Stream).ToArray(), run.BestEpoch,
            run.BestAccuracy, run.EpochsWithoutImprovement, run.Finished, [.. run.History], fingerprint);
        Checkpoint.Save(path, state, _parameters.Select(p => (p.Name, p.Parameter.Data)), Optimizer.StateTensors(),
            best.Select((t, i) => (_parameters[i].Name, t)));
    }

    private RunState Restore(string path, string fingerprint, Tensor[] best)
    {
        var (state, tensors) = Checkpoint.Load(path);
        if (state.Fingerprint != fingerprint)
            throw new InvalidDataException(
                $"Checkpoint '{path}' belongs to another run (different options, data or model); delete it or drop --resume.\n  checkpoint: {state.Fingerprint}\n  this run:   {fingerprint}");
        if (state.DropoutStreams.Length != _dropouts.Length || state.History.Length != state.Epoch)
            throw new InvalidDataException($"Checkpoint '{path}' is inconsistent with this model (dropout layers or history).");
        Tensor Get(string name, Tensor like) => tensors.TryGetValue(name, out Tensor t) && t.Shape == like.Shape
            ? t : throw new InvalidDataException($"Checkpoint '{path}' lacks tensor '{name}' of shape {like.Shape}.");
        foreach (var (name, parameter) in _parameters) Copy(Get("param." + name, parameter.Data), parameter.Data);
        for (int i = 0; i < best.Length; i++) Copy(Get("best." + _parameters[i].Name, best[i]), best[i]);
        Optimizer.LoadState(Optimizer.StateTensors().Select((own, i) => Get("optimizer." + i.ToString(CultureInfo.InvariantCulture), own)).ToList(), state.StepCount);
        for (int i = 0; i < _dropouts.Length; i++) _dropouts[i].Stream = state.DropoutStreams[i];
        return new RunState([.. state.History])
        {
            BestEpoch = state.BestEpoch,
            BestAccuracy = state.BestAccuracy,
            EpochsWithoutImprovement = state.EpochsWithoutImprovement,
            Finished = state.Finished,
        };
    }

    private LrSchedule CreateSchedule(long total)
    {
        LrSchedule schedule = _options.Schedule switch
        {
            ScheduleKind.Cosine => new CosineLr(_options.LearningRate, total),
            ScheduleKind.Step => new StepLr(_options.LearningRate, Math.Max(1, total / 3)),
            _ => new ConstantLr(_options.LearningRate),
        };
        return _options.WarmupSteps > 0 ? new WarmupLr(schedule, _options.WarmupSteps) : schedule;
    }

    // The loop's bookkeeping between epochs (what a checkpoint carries besides tensors).
    private sealed class RunState(List<EpochResult> history)
    {
        public List<EpochResult> History { get; } = history;
        public int BestEpoch { get; set; }
        public double BestAccuracy { get; set; } = -1;
        public int EpochsWithoutImprovement { get; set; }
        public bool Finished { get; set; }
    }

    /// <summary>
    /// Releases the device memory the trainer made (the optimizer's state, the step graph's buffers, the upload and
    /// prediction buffers) now rather than at a finalizer; the model and the objective's teachers are not the trainer's and stay.
    /// Idempotent; the trainer must not be used afterwards.
    /// </summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        _graph.Dispose();
        _upload.Dispose();
        DeviceMemory.Release(_predicted);
    }
}
