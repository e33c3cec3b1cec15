using System.Diagnostics;
using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Reports;
using TinyKd.Gpu;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd pipeline</c>, the README's main command: teacher, student alone and distilled student, same budget and
/// seeds, in the all-labels and the few-labels scenarios, then the distilled student pruned to several sparsities;
/// prints the comparison and writes the report folder.
/// </summary>
public static class PipelineCommand
{
    private static readonly OptionSpec[] Options =
    [
        .. DataOptions.All,
        DataOptions.PositiveClass,
        .. UnlabelledData.All,
        DataOptions.Standardize,
        new("seeds", "S,S,...", "train every model once per seed; mean ± std over them", "1,2,3"),
        new("teacher", "SIZES", "teacher hidden widths, or all widths input to output (3 or more) (ReLU, dropout 0.5)", "1200-1200"),
        new("student", "SIZES", "student hidden widths, or all widths input to output (3 or more)", "128"),
        new("teacher-epochs", "N", "teacher epochs (default 10 on the sample, 15 on larger data)"),
        new("student-epochs", "N", "epochs of every student (default 20 on the sample, 40 on larger data)"),
        new("labelled", "N", "labelled training samples in the few-labels scenario (default 2000 on the sample, 10000 on larger data)"),
        new("scenario", "NAME", "all, few or both", "both"),
        new("no-search", null, "skip the T/α search: use --temperature and --alpha"),
        new("temperature", "T", "the temperature without search", "4"),
        new("alpha", "A", "α without search", "0.5"),
        new("augment", null, "shift the distilled students' training images by up to ±2 pixels"),
        new("keep-best", null, "end every model with the weights of its best validation epoch instead of its last epoch's (the default)"),
        new("prune", "S,S,...", "sparsities of the pruned stage: each distilled student is pruned to each", "0.5,0.8,0.9,0.95"),
        new("prune-epochs", "N", "KD fine-tuning epochs of each pruned student (default: half the student epochs)"),
        new("layout", "KIND", "served form of each pruned layer: measured (sparse where this machine's crossover says so) or sparse", "measured"),
        new("no-prune", null, "skip the pruned stage"),
        new("no-int8", null, "skip the int8 stage (the distilled student and its pruned-90 % copy quantized after training)"),
        new("report", "DIR", "where to write report.md, report.json, report.html and the models", "report"),
        DeviceOption.Option,
        DivergenceReport.Option,
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd pipeline [options]",
                "Trains a teacher, the student alone and the student distilled from the teacher (same budget and seeds) with all labels and with few labels plus an unlabelled transfer set; prints the comparison and writes a report folder.",
                Options));
            return 0;
        }
        if (line.Positional.Count > 0) throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        long started = Stopwatch.GetTimestamp();
        string directory = OutputPath.Folder("report", line.Get("report"));
        LoadedData data = DataOptions.Load(line);
        var (train, test) = (data.Train, data.Test);
        bool sample = train.Count <= 10_000;
        PipelineOptions options = Parse(line, sample, train);
        if (options.Augment && !data.Images) throw new UsageException("--augment shifts 28×28 images; it does not apply to CSV or .npy data");
        StandardizationMode? mode = DataOptions.Standardization(line, data);
        Standardizer? standardizer = mode is { } m ? Standardizer.Fit(train, m) : null;
        if (options.Augment && mode != StandardizationMode.Global) throw new UsageException($"--augment needs global input standardisation; the data would be {DataOptions.Describe(mode)}");
        Dataset? unlabelled = UnlabelledData.Load(line, data);
        if (standardizer is not null)
        {
            standardizer.Apply(train);
            standardizer.Apply(test);
            if (unlabelled is not null) standardizer.Apply(unlabelled);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tinykd pipeline: teacher {options.Teacher}, student {options.Student}; {train.Count:N0} train{WithoutLabels(train, unlabelled)} / {test.Count:N0} test {(data.Images ? "images" : "rows")}, {DataOptions.Describe(mode)}; seeds {string.Join(",", options.Seeds)}; " +
            $"{(options.Temperatures.Count * options.Alphas.Count > 1 ? $"searching T ∈ {{{string.Join(",", options.Temperatures)}}} × α ∈ {{{string.Join(",", options.Alphas)}}}" : $"T {options.Temperatures[0]}, α {options.Alphas[0]}")}"));
        using var device = DeviceOption.Open(line);
        string trainedOn = TrainedOn(device, options);
        if (device is not null) output.WriteLine($"{trainedOn}.");
        var bar = new ProgressBar(output, live: !Console.IsErrorRedirected, epochLines: false);
        var pipeline = new DistillationPipeline(options, output, label => bar.Report)
        {
            PositiveClass = DataOptions.PositiveClassOf(line, train),
            Backend = DeviceOption.Backend(device),
        };
        IReadOnlyList<ScenarioReport> scenarios = pipeline.Run(train, test, Path.Combine(directory, "models"), standardizer, unlabelled);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        string splits = Path.GetFullPath(SplitsFile.WritePipeline(directory, train, test, unlabelled, options.Seeds, pipeline.Splits));

        var report = new PipelineReport("TinyKd distillation pipeline",
            string.Create(CultureInfo.InvariantCulture, $"{train.Source}: {train.Count:N0} training{WithoutLabels(train, unlabelled)} and {test.Count:N0} test {(data.Images ? "images" : "rows")}, {DataOptions.Describe(mode)}"),
            string.Create(CultureInfo.InvariantCulture,
                $"Adam (lr {options.LearningRate}, cosine to 0), batch {options.BatchSize}; teacher {options.TeacherEpochs} epochs, students {options.StudentEpochs} epochs (of the largest training set; smaller ones get as many steps); " +
                $"{(options.KeepBest ? "each model's best validation epoch kept (--keep-best)" : "each model's last epoch kept")}; validation {options.ValidationFraction:P0} of the labelled data{PruningRecipe(options)}; {trainedOn}"),
            options.Seeds, scenarios, seconds,
            MachineDescription.Current);
        output.WriteLine();
        output.Write(MarkdownReport.Render(report));
        IReadOnlyList<string> written = ReportWriter.Write(report, directory);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {string.Join(", ", [.. written, splits])} in {seconds:F0} s"));
        return 0;
    }

    private static PipelineOptions Parse(CommandLine line, bool sample, Dataset train)
    {
        ulong[] seeds = ParseSeeds(line.Get("seeds")!);
        bool search = !line.Flag("no-search");
        var options = new PipelineOptions
        {
            Teacher = DataOptions.Spec("teacher", line.Get("teacher")!, train, Activation.Relu, 0.5f),
            Student = DataOptions.Spec("student", line.Get("student")!, train, Activation.Relu, 0f),
            TeacherEpochs = line.Get("teacher-epochs") is null ? (sample ? 10 : 15) : line.Int("teacher-epochs", 1),
            StudentEpochs = line.Get("student-epochs") is null ? (sample ? 20 : 40) : line.Int("student-epochs", 1),
            Labelled = line.Get("labelled") is null ? (sample ? 2000 : 10_000) : line.Int("labelled", 20),
            Seeds = seeds,
            Scenarios = line.Choice("scenario", "both", "all", "few") switch
            {
                "all" => [Scenario.AllLabels],
                "few" => [Scenario.FewLabels],
                _ => [Scenario.AllLabels, Scenario.FewLabels],
            },
            Augment = line.Flag("augment"),
            KeepBest = line.Flag("keep-best"),
            PruneSparsities = line.Flag("no-prune") ? [] : ParseSparsities(line.Get("prune")!),
            PrunedLayout = line.Choice("layout", "measured", "sparse") == "sparse" ? ServingLayout.Sparse : ServingLayout.Measured,
            Int8 = !line.Flag("no-int8"),
            AllowDivergence = line.Flag("allow-divergence"),
        };
        options = options with { PruneEpochs = line.Get("prune-epochs") is null ? options.StudentEpochs / 2 : line.Int("prune-epochs", 0) };
        if (!search)
            options = options with { Temperatures = [line.Float("temperature", 1e-3f, 1e3f)], Alphas = [line.Float("alpha", 0f, 1f)] };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Messages.Plain(e));
        }
        return options;
    }

    // Where the models train, for the console and the report: the teacher and the students on the device; the pruned
    // and int8 stages on the CPU (their sparse and int8 layers run there only).
    private static string TrainedOn(GpuCompute? device, PipelineOptions options)
    {
        if (device is null) return "trained on the CPU";
        var cpuStages = new[] { options.PruneSparsities.Count > 0 ? "pruning fine-tune" : null, options.Int8 ? "int8 quantization" : null }.OfType<string>().ToList();
        return $"teacher and students trained on {device.Name} ({device.DeviceName})" +
            (cpuStages.Count > 0 ? $"; {string.Join(" and ", cpuStages)} on the CPU (sparse and int8 layers run there only)" : "");
    }

    // " (40 without a label) + 1,000 unlabelled from FILE", or "" when every training row has a label.
    private static string WithoutLabels(Dataset train, Dataset? unlabelled) => string.Create(CultureInfo.InvariantCulture,
        $"{(train.LabelledCount < train.Count ? $" ({train.Count - train.LabelledCount:N0} without a label)" : "")}{(unlabelled is { } u ? $" + {u.Count:N0} unlabelled from {u.Source}" : "")}");

    private static string PruningRecipe(PipelineOptions options) => (options.PruneSparsities.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; pruned students: each distilled student pruned gradually to {string.Join(", ", options.PruneSparsities.Select(p => $"{100 * p:0.#} %"))} with {options.PruneEpochs} epochs of KD fine-tuning"))
        + (options.Int8 ? "; int8 students: the distilled student (and a pruned one) quantized after training, 7-bit weights per row, dynamic u8 activations" : "");

    private static double[] ParseSparsities(string raw)
    {
        var sparsities = new List<double>();
        foreach (string part in raw.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double sparsity) || !(sparsity > 0 && sparsity < 1))
                throw new UsageException($"option '--prune' must be sparsities in (0, 1) separated by commas; got '{raw}'");
            sparsities.Add(sparsity);
        }
        return [.. sparsities];
    }

    internal static ulong[] ParseSeeds(string raw)
    {
        var seeds = new List<ulong>();
        foreach (string part in raw.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                throw new UsageException($"option '--seeds' must be non-negative integers separated by commas; got '{raw}'");
            seeds.Add(seed);
        }
        return [.. seeds];
    }
}
