namespace TinyKd.Distill.Reports;

/// <summary>A metric over several seeds: mean, sample standard deviation and range.</summary>
/// <param name="Mean">Mean over the seeds.</param>
/// <param name="Std">Sample standard deviation (0 for one seed).</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Count">Number of seeds.</param>
public readonly record struct SeedStat(double Mean, double Std, double Min, double Max, int Count)
{
    /// <summary>Summarises one value per seed.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static SeedStat From(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("A seed statistic needs at least one value.", nameof(values));
        double mean = values.Average();
        double variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : 0;
        return new SeedStat(mean, Math.Sqrt(variance), values.Min(), values.Max(), values.Count);
    }
}

/// <summary>One trained model of a scenario, summarised over the seeds.</summary>
/// <param name="Name">Its role: "teacher", "student alone", "student distilled".</param>
/// <param name="Architecture">Layer widths, e.g. "784-128-10".</param>
/// <param name="Settings">How it was trained beyond the shared recipe (e.g. "T 4, α 0.5"), or empty.</param>
/// <param name="Accuracy">Test accuracy in [0, 1].</param>
/// <param name="MacroF1">Test macro-F1 in [0, 1].</param>
/// <param name="Ece">Test expected calibration error in [0, 1].</param>
/// <param name="Parameters">Parameters the model stores: every weight and bias of a dense model; of a pruned one, the values its sparse layers keep.</param>
/// <param name="ModelBytes">Size of its .tkd model file.</param>
/// <param name="MicrosecondsPerSample">Inference latency per sample at batch 1 (median).</param>
/// <param name="TrainSeconds">Training wall time, mean over the seeds.</param>
/// <param name="Curves">Validation accuracy after each epoch, one list per seed (empty lists for a model that was not trained epoch by epoch).</param>
/// <param name="Sparsity">The fraction of zero weights in the layers a pruner prunes (all but the output layer): 0 for a dense model.</param>
/// <param name="SamplesPerSecond">Inference throughput at batch 256 (median), or NaN when not measured.</param>
public sealed record ModelResult(string Name, string Architecture, string Settings, SeedStat Accuracy, SeedStat MacroF1, SeedStat Ece,
    long Parameters, long ModelBytes, double MicrosecondsPerSample, double TrainSeconds, IReadOnlyList<IReadOnlyList<double>> Curves,
    double Sparsity = 0, double SamplesPerSecond = double.NaN)
{
    /// <summary>The epoch whose weights each seed's model ended with, in seed order (empty for a model not trained epoch by epoch).</summary>
    public IReadOnlyList<int> KeptEpochs { get; init; } = [];
    /// <summary>The confusion matrix, per-class table, further scores and binary curves of the first seed's model, or null when not measured.</summary>
    public ClassificationDetail? Detail { get; init; }
}

/// <summary>One cell of the temperature/α search: validation accuracy of the distilled student, mean over the seeds.</summary>
/// <param name="Temperature">T.</param>
/// <param name="Alpha">α.</param>
/// <param name="ValidationAccuracy">Validation accuracy, mean over the seeds (what the search compares).</param>
/// <param name="Chosen">True for the pair the search kept.</param>
public sealed record SearchCell(float Temperature, float Alpha, double ValidationAccuracy, bool Chosen)
{
    /// <summary>The validation accuracy with each seed, in the report's seed order (empty when not recorded).</summary>
    public IReadOnlyList<double> SeedAccuracies { get; init; } = [];
}

/// <summary>Distilled student against the student alone, paired by seed: the gain, its seed spread and the verdict.</summary>
/// <param name="GainPoints">Mean over seeds of the distilled student's test accuracy minus the student alone's, in percentage points.</param>
/// <param name="SpreadPoints">Standard deviation over seeds of that per-seed gain, in percentage points.</param>
/// <param name="Verdict">"wins", "ties" or "loses": a gain beyond ±<paramref name="SpreadPoints"/> decides.</param>
public sealed record Comparison(double GainPoints, double SpreadPoints, string Verdict)
{
    /// <summary>Why the verdict or the choices behind it are weak (too few seeds, too small a validation split), in words; "" when nothing is.</summary>
    public string Caveat { get; init; } = "";
}

/// <summary>What pruning cost a distilled student, paired by seed (a seed prunes the distilled student it trained).</summary>
/// <param name="Model">The pruned model's name, e.g. "student pruned 90%".</param>
/// <param name="Sparsity">Its sparsity (mean over the seeds).</param>
/// <param name="ChangePoints">Mean over seeds of (pruned − distilled) test accuracy, in percentage points.</param>
/// <param name="SpreadPoints">Standard deviation over seeds of that change, in percentage points (0 for one seed).</param>
public sealed record PruningCost(string Model, double Sparsity, double ChangePoints, double SpreadPoints);

/// <summary>One scenario of the pipeline (e.g. all labels; few labels plus a transfer set).</summary>
/// <param name="Name">Short name, e.g. "all labels".</param>
/// <param name="Description">One sentence: which data each model saw.</param>
/// <param name="Models">Teacher, student alone, student distilled.</param>
/// <param name="Search">The T/α search, or empty when none ran.</param>
/// <param name="Comparison">Distilled student vs student alone.</param>
public sealed record ScenarioReport(string Name, string Description, IReadOnlyList<ModelResult> Models, IReadOnlyList<SearchCell> Search,
    Comparison Comparison)
{
    /// <summary>The pruned students against the dense distilled student, one per sparsity (empty without a pruned stage).</summary>
    public IReadOnlyList<PruningCost> Pruning { get; init; } = [];
}

/// <summary>Everything <c>tinykd pipeline</c> measured, ready to be written as Markdown, JSON and HTML.</summary>
/// <param name="Title">Heading of the report.</param>
/// <param name="Data">Where the data came from and its sizes.</param>
/// <param name="Recipe">The shared training recipe in one line (optimizer, schedule, batch, epochs).</param>
/// <param name="Seeds">The seeds every model was trained with.</param>
/// <param name="Scenarios">The scenarios, in order.</param>
/// <param name="WallSeconds">Wall time of the whole pipeline.</param>
/// <param name="Machine">Processor count, OS and kernel path, for the timings.</param>
public sealed record PipelineReport(string Title, string Data, string Recipe, IReadOnlyList<ulong> Seeds, IReadOnlyList<ScenarioReport> Scenarios,
    double WallSeconds, string Machine);
