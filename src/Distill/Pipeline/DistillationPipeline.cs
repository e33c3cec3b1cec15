using System.Diagnostics;
using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Reports;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// What <c>tinykd pipeline</c> does, as a library: for each scenario and seed, train the teacher, the student alone
/// and the student distilled from the teacher with the same budget and seed — one distilled student per (T, α) of
/// the search and seed, the pair with the best validation accuracy averaged over the seeds kept — then
/// prune each seed's distilled student to each of <see cref="PipelineOptions.PruneSparsities"/> (<see cref="PruningStage"/>),
/// score every kept model on the test set and say honestly whether distillation beat the student alone by more than the
/// seed spread, and what pruning cost the distilled student.
/// </summary>
public sealed class DistillationPipeline
{
    private readonly PipelineOptions _options;
    private readonly TextWriter _log;
    private readonly Func<string, Action<TrainingProgress>?> _progress;
    private Standardizer? _standardizer;
    private Dataset? _unlabelled;
    private readonly List<SeedSplits> _splits = [];

    /// <summary>The recipe.</summary>
    public PipelineOptions Options => _options;

    /// <summary>The positive class of each model's binary report view; null: class 1 of a two-class task, none with more classes.</summary>
    public int? PositiveClass { get; init; }
    /// <summary>
    /// The backend the teachers and the students train, distil and are scored on (the CPU by default). Every model is
    /// built on the CPU from its seed and moved there, so each device starts from the same weights; after training
    /// (a teacher: after its students have distilled from it) it comes back to the CPU, where the pruning fine-tune,
    /// int8 quantization, model files and latency measurements run (sparse and int8 layers are CPU-only).
    /// </summary>
    public ICompute Backend { get; init; } = CpuCompute.Default;

    /// <summary>The rows of every split of the last <see cref="Run"/>, per scenario and seed in the order run.</summary>
    public IReadOnlyList<SeedSplits> Splits => _splits;

    /// <summary>Prepares a run.</summary>
    /// <param name="options">The recipe; validated here.</param>
    /// <param name="log">Receives one line per trained model (nothing when null).</param>
    /// <param name="progress">Gives a progress callback for the training run it names (none when null).</param>
    public DistillationPipeline(PipelineOptions options, TextWriter? log = null, Func<string, Action<TrainingProgress>?>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _log = log ?? TextWriter.Null;
        _progress = progress ?? (_ => null);
    }

    /// <summary>
    /// Runs every scenario on standardised <paramref name="train"/> and <paramref name="test"/> data; the kept models
    /// of the first seed are written to <paramref name="modelDirectory"/> (their sizes are the reported bytes), with
    /// <paramref name="standardizer"/> — how the data was standardised — so that they score raw data again (it also
    /// gives augmentation the standardised value of a blank pixel; null means the data is raw).
    /// </summary>
    /// <exception cref="ArgumentException">The data does not fit the models.</exception>
    /// <param name="train">The training rows; rows labelled <see cref="Dataset.Unlabelled"/> join the distilled students' transfer sets only.</param>
    /// <param name="test">The test rows.</param>
    /// <param name="modelDirectory">Where the first seed's models go.</param>
    /// <param name="standardizer">How the data was standardised (null: raw).</param>
    /// <param name="unlabelled">Extra rows without labels, added to every transfer set (standardised as the training rows); null for none.</param>
    public IReadOnlyList<ScenarioReport> Run(Dataset train, Dataset test, string modelDirectory, Standardizer? standardizer = null, Dataset? unlabelled = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        if (train.FeatureCount != _options.Teacher.InputSize || train.Classes != _options.Teacher.OutputSize)
            throw new ArgumentException(
                $"The models {_options.Teacher} and {_options.Student} do not fit '{train.Name}' ({train.FeatureCount} features, {train.Classes} classes).", nameof(train));
        if (unlabelled is not null && unlabelled.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"The unlabelled rows '{unlabelled.Name}' have {unlabelled.FeatureCount} features; '{train.Name}' has {train.FeatureCount}.", nameof(unlabelled));
        _standardizer = standardizer;
        _unlabelled = unlabelled;
        _splits.Clear();
        return _options.Scenarios.Select(s => RunScenario(s, train, test, modelDirectory)).ToList();
    }

    /// <summary>The name of a scenario in reports ("all labels", "few labels").</summary>
    public static string NameOf(Scenario scenario) => scenario == Scenario.AllLabels ? "all labels" : "few labels";

    private ScenarioReport RunScenario(Scenario scenario, Dataset train, Dataset test, string modelDirectory)
    {
        string name = NameOf(scenario);
        var teachers = new List<Trained>();
        var alone = new List<Trained>();
        var grid = Grid().ToDictionary(g => g, _ => new List<Trained>());
        var pruned = _options.PruneSparsities.ToDictionary(s => s, _ => new List<Trained>());
        double? int8Sparsity = Int8PrunedSparsity();
        var int8 = new List<Trained>();
        var prunedInt8 = new List<Trained>();
        ScenarioData? first = null;
        foreach (ulong seed in _options.Seeds)
        {
            var data = ScenarioData.Create(scenario, train, seed, _options.ValidationFraction, _options.Labelled, _unlabelled);
            first ??= data;
            _splits.Add(new SeedSplits(name, seed, data.Rows));
            string tag = $"{name}, seed {seed}";
            // The same budget is the same number of optimizer steps: models that learn from the labelled rows only
            // get proportionally more epochs than the distilled student, which also sees the unlabelled rows.
            int teacherEpochs = EqualSteps(_options.TeacherEpochs, data), studentEpochs = EqualSteps(_options.StudentEpochs, data);
            Trained teacher = Train($"{tag}: teacher {_options.Teacher}", _options.Teacher, teacherEpochs, seed, data.Labelled, data.Validation, test, null, null);
            alone.Add(OnCpu(Train($"{tag}: student alone {_options.Student}", _options.Student, studentEpochs, seed, data.Labelled, data.Validation, test, null, null)));
            foreach (var (t, a) in grid.Keys)
            {
                grid[(t, a)].Add(OnCpu(Train($"{tag}: student distilled (T {Format(t)}, α {Format(a)})", _options.Student, _options.StudentEpochs, seed,
                    data.Transfer, data.Validation, test, teacher.Model, DistillationSettings((t, a)))));
            }
            teachers.Add(OnCpu(teacher)); // kept on the backend until its students had distilled from it
        }
        // Every pair is trained with every seed and the one with the best mean validation accuracy is kept (the first
        // in T-then-α order on ties): the choice never sees a test accuracy, and no single seed's luck decides it.
        var best = grid.OrderByDescending(g => g.Value.Average(r => r.ValidationAccuracy)).First().Key;
        List<Trained> distilled = grid[best];
        for (int k = 0; k < _options.Seeds.Count; k++)
        {
            ulong seed = _options.Seeds[k];
            string tag = $"{name}, seed {seed}";
            if (_options.PruneSparsities.Count > 0)
            {
                var data = ScenarioData.Create(scenario, train, seed, _options.ValidationFraction, _options.Labelled, _unlabelled);
                Teacher source = PruningStage.TeacherOf(teachers[k].Model, data.Transfer, _options.Augment);
                foreach (double sparsity in _options.PruneSparsities)
                    pruned[sparsity].Add(Prune($"{tag}: {PrunedName(sparsity)}", distilled[k].Model, source, data,
                        DistillationSettings(best), sparsity, seed, test));
            }
            if (_options.Int8)
            {
                int8.Add(Quantized($"{tag}: {Int8Name(null)}", distilled[k].Model, test));
                if (int8Sparsity is { } s) prunedInt8.Add(Quantized($"{tag}: {Int8Name(s)}", pruned[s][k].Model, test));
            }
        }

        var search = grid.Count == 1 ? [] : grid.Select(g => new SearchCell(g.Key.T, g.Key.Alpha, g.Value.Average(r => r.ValidationAccuracy), g.Key == best)
        {
            SeedAccuracies = g.Value.Select(r => r.ValidationAccuracy).ToList(),
        }).ToList();
        string folder = Path.Combine(modelDirectory, scenario == Scenario.AllLabels ? "all-labels" : "few-labels");
        var models = new List<ModelResult>
        {
            Summarise("teacher", $"dropout {Format(_options.Teacher.Dropout)}", teachers, Path.Combine(folder, "teacher.tkd"), test),
            Summarise("student alone", "", alone, Path.Combine(folder, "student-alone.tkd"), test),
            Summarise("student distilled", $"T {Format(best.T)}, α {Format(best.Alpha)}", distilled, Path.Combine(folder, "student-distilled.tkd"), test),
        };
        var costs = new List<PruningCost>();
        foreach (var (sparsity, runs) in pruned)
        {
            ModelResult row = Summarise(PrunedName(sparsity), PrunedSettings(sparsity, runs[0].Model), runs,
                Path.Combine(folder, $"student-pruned-{Math.Round(sparsity * 100).ToString(CultureInfo.InvariantCulture)}.tkd"), test);
            models.Add(row);
            Comparison change = Compare(distilled.Select(r => r.Test.Accuracy).ToList(), runs.Select(r => r.Test.Accuracy).ToList());
            costs.Add(new PruningCost(row.Name, row.Sparsity, change.GainPoints, change.SpreadPoints));
        }
        foreach (var (sparsity, runs) in new[] { ((double?)null, int8), (int8Sparsity, prunedInt8) }.Where(r => r.Item2.Count > 0))
        {
            ModelResult row = Summarise(Int8Name(sparsity), "int8 weights (7-bit per row), dynamic u8 activations", runs,
                Path.Combine(folder, sparsity is { } s ? $"student-pruned-{Math.Round(s * 100).ToString(CultureInfo.InvariantCulture)}-int8.tkd" : "student-int8.tkd"), test);
            models.Add(row);
            Comparison change = Compare(distilled.Select(r => r.Test.Accuracy).ToList(), runs.Select(r => r.Test.Accuracy).ToList());
            costs.Add(new PruningCost(row.Name, row.Sparsity, change.GainPoints, change.SpreadPoints));
        }
        string description = scenario == Scenario.AllLabels
            ? $"Every model trains on the same {first!.Labelled.Count:N0} labelled samples; {first.Validation.Count:N0} held out for validation." +
              (first.Transfer.Count > first.Labelled.Count ? $" The distilled student also learns from the teacher's soft targets on {first.Transfer.Count - first.Labelled.Count:N0} unlabelled samples." : "")
            : $"{first!.Labelled.Count:N0} labelled training samples (+{first.Validation.Count:N0} for validation) for the teacher and the student alone; " +
              $"the distilled student also learns from the teacher's soft targets on {first.Transfer.Count - first.Labelled.Count:N0} unlabelled samples. " +
              $"Every student takes the same number of optimizer steps ({EqualSteps(_options.StudentEpochs, first)} epochs over the labelled samples = " +
              $"{_options.StudentEpochs} over the transfer set); the teacher {EqualSteps(_options.TeacherEpochs, first)} epochs.";
        return new ScenarioReport(name, description, models, search,
            Compare(alone.Select(r => r.Test.Accuracy).ToList(), distilled.Select(r => r.Test.Accuracy).ToList()) with
            {
                Caveat = ChoiceCaveat.Of(_options.Seeds.Count, first.Validation.Count, grid.Count > 1, _options.KeepBest),
            }) { Pruning = costs };
    }

    private static int EqualSteps(int epochs, ScenarioData data) =>
        (int)Math.Ceiling(epochs * (double)data.Transfer.Count / data.Labelled.Count);

    private IEnumerable<(float T, float Alpha)> Grid() =>
        from t in _options.Temperatures from a in _options.Alphas select (t, a);

    // Trains and scores a model on the backend, where it is left (see OnCpu); teacher, when given, is already there.
    private Trained Train(string label, MlpSpec spec, int epochs, ulong seed, Dataset trainOn, Dataset validation, Dataset test,
        Mlp? teacher, DistillationOptions? distillation)
    {
        var model = new Mlp(spec, new Rng(seed));
        model.To(Backend); // built on the CPU from the seed, then moved: the same initial weights on every backend
        TrainingOptions training = Recipe(epochs, seed, augment: teacher is not null);
        long start = Stopwatch.GetTimestamp();
        using Distiller? distiller = teacher is null ? null : new Distiller(model, [Teacher.FromModel(teacher)], distillation!, training);
        using Trainer trainer = distiller?.Trainer ?? new Trainer(model, training);
        IReadOnlyList<EpochResult> history = trainer.Fit(trainOn, validation, _progress(label));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Evaluation evaluation = Evaluation.Run(model, test);
        // The validation accuracy of the weights kept (the best epoch's with --keep-best, else the last's) is what the
        // T/α search compares.
        int kept = trainer.BestEpoch > 0 ? trainer.BestEpoch : history.Count;
        double keptValidation = history[kept - 1].ValidationAccuracy ?? 0;
        string diverged = trainer.Divergence is { } reason ? $"; DIVERGED ({reason}), kept as divergence is allowed" : "";
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label}: validation {keptValidation * 100:F2}%, test {evaluation.Accuracy * 100:F2}%, epoch {kept} kept ({seconds:F1} s){diverged}"));
        return new Trained(model, history.Select(h => h.ValidationAccuracy ?? 0).ToList(), keptValidation, evaluation, seconds, kept);
    }

    // Brings a trained model back to the CPU, where the later stages, the files and the latency measurements run.
    private static Trained OnCpu(Trained trained)
    {
        trained.Model.To(CpuCompute.Default);
        return trained;
    }

    private TrainingOptions Recipe(int epochs, ulong seed, bool augment) => new()
    {
        Epochs = epochs,
        BatchSize = _options.BatchSize,
        LearningRate = _options.LearningRate,
        Seed = seed,
        Augmentation = _options.Augment && augment ? new ImageAugmentation(28, 28, 2, _standardizer?.Transform(0f) ?? 0f) : null,
        AllowDivergence = _options.AllowDivergence,
        RestoreBestWeights = _options.KeepBest,
    };

    private static DistillationOptions DistillationSettings((float T, float Alpha) pair) =>
        new() { Temperature = ParameterSchedule.Constant(pair.T), Alpha = ParameterSchedule.Constant(pair.Alpha) };

    private Trained Prune(string label, Mlp distilled, Teacher teacher, ScenarioData data, DistillationOptions settings, double sparsity,
        ulong seed, Dataset test)
    {
        long start = Stopwatch.GetTimestamp();
        var (served, reached) = PruningStage.Run(distilled, teacher, data, settings, Recipe(_options.PruneEpochs, seed, augment: true),
            sparsity, _options.PruneEpochs, _options.PrunedLayout);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Evaluation evaluation = Evaluation.Run(served, test);
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label}: sparsity {reached * 100:F1}%, test {evaluation.Accuracy * 100:F2}% ({seconds:F1} s)"));
        return new Trained(served, [], 0, evaluation, seconds, 0);
    }

    private Trained Quantized(string label, Mlp model, Dataset test)
    {
        long start = Stopwatch.GetTimestamp();
        Mlp quantized = PostTrainingQuantizer.Quantize(model, new QuantizationOptions());
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Evaluation evaluation = Evaluation.Run(quantized, test);
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: test {evaluation.Accuracy * 100:F2}% ({seconds:F2} s)"));
        return new Trained(quantized, [], 0, evaluation, seconds, 0);
    }

    // The pruned sparsity whose students are also quantized: the largest of at most 90 %, else the smallest.
    private double? Int8PrunedSparsity() =>
        !_options.Int8 || _options.PruneSparsities.Count == 0 ? null
        : _options.PruneSparsities.Where(s => s <= 0.9 + 1e-9).DefaultIfEmpty(_options.PruneSparsities.Min()).Max();

    private static string Int8Name(double? sparsity) => sparsity is { } s ? $"{PrunedName(s)} int8" : "student int8";

    private static string PrunedName(double sparsity) =>
        string.Create(CultureInfo.InvariantCulture, $"student pruned {Math.Round(sparsity * 100, 1)}%");

    private string PrunedSettings(double sparsity, Mlp served)
    {
        PruningSchedule schedule = PruningStage.Schedule(sparsity, _options.PruneEpochs);
        IReadOnlyList<Layer> layers = served.AffineLayers;
        int sparse = layers.Count(l => l is SparseLinear);
        return string.Create(CultureInfo.InvariantCulture,
            $"gradual, 8×1 blocks, {schedule.Steps} step{(schedule.Steps == 1 ? "" : "s")}, KD fine-tune {schedule.TotalEpochs} epochs; {sparse} of {layers.Count} layers served sparse");
    }

    private ModelResult Summarise(string role, string settings, List<Trained> runs, string path, Dataset test)
    {
        Mlp model = runs[0].Model;
        var keptEpochs = runs.Select(r => r.KeptEpoch).ToList();
        if (keptEpochs.All(e => e > 0)) settings = string.Join("; ", new[] { settings, KeptEpochs(keptEpochs, _options.KeepBest) }.Where(s => s.Length > 0));
        ModelFile.Save(path, model, _standardizer, new Dictionary<string, string> { ["stage"] = role, ["settings"] = settings }, test.ClassNames);
        return new ModelResult(role, model.Spec.ToString(), settings,
            SeedStat.From(runs.Select(r => r.Test.Accuracy).ToList()),
            SeedStat.From(runs.Select(r => r.Test.MacroF1).ToList()),
            SeedStat.From(runs.Select(r => r.Test.Ece).ToList()),
            model.StoredParameterCount(), new FileInfo(path).Length,
            InferenceLatency.MicrosecondsPerSample(model, test.Features),
            runs.Average(r => r.Seconds),
            runs.Select(r => (IReadOnlyList<double>)r.Curve).ToList(),
            PruningStage.PrunedLayerSparsity(model),
            InferenceLatency.SamplesPerSecond(model, test.Features))
        {
            Detail = ClassificationDetail.Of(runs[0].Test.Probabilities, test.Classes, test.Labels, test.ClassNames, PositiveClass),
            KeptEpochs = keptEpochs.All(e => e > 0) ? keptEpochs : [],
        };
    }

    /// <summary>
    /// Which epoch each seed's model ended with, as the report's settings say it: "epoch 20 kept (the last)", or with
    /// <paramref name="best"/> "epochs 12, 18, 20 kept (best validation, --keep-best)" (one per seed, in seed order).
    /// </summary>
    /// <exception cref="ArgumentException">No epochs.</exception>
    public static string KeptEpochs(IReadOnlyList<int> epochs, bool best)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        if (epochs.Count == 0) throw new ArgumentException("No kept epoch to describe.", nameof(epochs));
        var distinct = epochs.Distinct().ToList();
        string which = distinct.Count == 1 ? $"epoch {distinct[0]}" : $"epochs {string.Join(", ", epochs)}";
        return $"{which} kept ({(best ? "best validation, --keep-best" : "the last")})";
    }

    /// <summary>
    /// The verdict, paired by seed (a seed gives both students the same split, initial weights and batch order):
    /// the gain is the mean over seeds of (distilled − alone) test accuracy in points and the spread the standard
    /// deviation of those per-seed gains; a gain beyond the spread wins, below its negative loses, otherwise ties.
    /// One seed has no spread, so it cannot decide.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static Comparison Compare(IReadOnlyList<double> alone, IReadOnlyList<double> distilled)
    {
        ArgumentNullException.ThrowIfNull(alone);
        ArgumentNullException.ThrowIfNull(distilled);
        if (alone.Count == 0 || alone.Count != distilled.Count)
            throw new ArgumentException($"A paired comparison needs one accuracy per seed for both models; got {alone.Count} and {distilled.Count}.", nameof(distilled));
        SeedStat gains = SeedStat.From(alone.Zip(distilled, (a, d) => (d - a) * 100).ToList());
        string verdict = gains.Count < 2 ? "undecided (one seed: run several for a verdict)"
            : gains.Mean > gains.Std ? "wins" : gains.Mean < -gains.Std ? "loses" : "ties";
        return new Comparison(gains.Mean, gains.Std, verdict);
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    // KeptEpoch: the epoch whose weights the model ended with (0 for a model not trained epoch by epoch).
    private sealed record Trained(Mlp Model, List<double> Curve, double ValidationAccuracy, Evaluation Test, double Seconds, int KeptEpoch);
}
