using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Cli.Commands;

/// <summary><c>tinykd train</c>: trains an MLP on Fashion-MNIST, evaluates it on the test split and saves it.</summary>
public static class TrainCommand
{
    private static readonly OptionSpec[] Options =
    [
        new("model", "SIZES", "hidden widths (1200-1200), or all widths input to output (784-1200-1200-10; 3 or more)", "1200-1200"),
        new("activation", "NAME", "relu, leaky-relu, tanh, sigmoid or gelu", "relu"),
        new("dropout", "P", "dropout after each hidden layer, in [0, 1)", "0.5"),
        new("epochs", "N", "passes over the training set", "10"),
        new("batch-size", "N", "samples per step", "128"),
        new("lr", "RATE", "base learning rate", "0.001"),
        new("optimizer", "NAME", "adam, adamw or sgd (Nesterov momentum 0.9)", "adam"),
        new("weight-decay", "W", "L2 (adam, sgd) or decoupled (adamw) weight decay", "0"),
        new("schedule", "NAME", "cosine, step or constant learning-rate schedule", "cosine"),
        new("warmup", "STEPS", "linear warm-up steps", "0"),
        new("label-smoothing", "E", "cross-entropy label smoothing", "0"),
        new("clip-grad", "NORM", "clip the global gradient norm (0 = off)", "0"),
        new("validation", "FRACTION", "hold out this fraction of the training set and report its accuracy each epoch", "0"),
        DataOptions.Split,
        DataOptions.KeepBest,
        DataOptions.Standardize,
        new("seed", "N", "seed of the weights, dropout and batch order", "1"),
        DeviceOption.Option,
        .. DataOptions.All,
        DataOptions.PositiveClass,
        new("out", "FILE", "where to save the model", "model.tkd"),
        DivergenceReport.Option,
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd train [options]", "Trains an MLP classifier on Fashion-MNIST or your own CSV/.npy data, prints test metrics and saves the model.", Options));
            return 0;
        }
        if (line.Positional.Count > 0) throw new UsageException($"unexpected argument '{line.Positional[0]}'");

        float clip = line.Float("clip-grad", 0f);
        var options = new TrainingOptions
        {
            Epochs = line.Int("epochs", 1),
            BatchSize = line.Int("batch-size", 1),
            LearningRate = line.Float("lr", 1e-8f),
            Optimizer = line.Choice("optimizer", "adam", "adamw", "sgd") switch { "sgd" => OptimizerKind.Sgd, "adamw" => OptimizerKind.AdamW, _ => OptimizerKind.Adam },
            WeightDecay = line.Float("weight-decay", 0f),
            Schedule = line.Choice("schedule", "cosine", "step", "constant") switch { "step" => ScheduleKind.Step, "constant" => ScheduleKind.Constant, _ => ScheduleKind.Cosine },
            WarmupSteps = line.Int("warmup", 0),
            LabelSmoothing = line.Float("label-smoothing", 0f, 0.999f),
            ClipGradNorm = clip > 0f ? clip : null,
            Seed = line.UInt64("seed"),
            AllowDivergence = line.Flag("allow-divergence"),
            RestoreBestWeights = line.Flag("keep-best"),
        };
        float validationFraction = line.Float("validation", 0f, 0.9f);
        string outPath = OutputPath.File("out", line.Get("out"));

        LoadedData data = DataOptions.Load(line);
        var (train, test) = (data.Train, data.Test);
        MlpSpec spec = ParseSpec(line, train);
        int? positiveClass = DataOptions.PositiveClassOf(line, train);
        StandardizationMode? mode = DataOptions.Standardization(line, data);
        Dataset? validation = null;
        var rows = new Dictionary<string, int[]> { ["train"] = Enumerable.Range(0, train.Count).ToArray() };
        if (validationFraction > 0f)
        {
            var (fitRows, validationRows) = DataOptions.SplitRows(line, train, validationFraction, options.Seed);
            rows = new Dictionary<string, int[]> { ["train"] = fitRows, ["validation"] = validationRows };
            (train, validation) = (train.Subset(fitRows, $"{train.Name}/train-split"), train.Subset(validationRows, $"{train.Name}/validation-split"));
        }
        Standardizer? standardizer = mode is { } m ? Standardizer.Fit(train, m) : null;
        if (standardizer is not null)
        {
            standardizer.Apply(train);
            standardizer.Apply(test);
            if (validation is not null) standardizer.Apply(validation);
        }

        using var device = DeviceOption.Open(line);
        var model = new Mlp(spec, new Rng(options.Seed));
        model.To(DeviceOption.Backend(device)); // built on the CPU from the seed, then moved: the same weights on every device
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tinykd train: MLP {spec} ({spec.Activation.ToString().ToLowerInvariant()}, dropout {spec.Dropout}), {model.ParameterCount():N0} parameters; {train.Count} train / {test.Count} test samples from {train.Source}, {DataOptions.Describe(mode)}"));
        if (device is not null) output.WriteLine($"training on {device.Name} ({device.DeviceName})");
        var bar = new ProgressBar(output, live: !Console.IsErrorRedirected);
        var started = DateTime.UtcNow;
        using var trainer = new Trainer(model, options);
        var history = trainer.Fit(train, validation, bar.Report);
        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        DivergenceReport.Warn(trainer.Divergence, outPath);

        string kept = SplitsFile.KeptEpoch(trainer.BestEpoch, history.Count);
        output.WriteLine($"kept the weights of {kept}");
        var evaluation = Evaluation.Run(model, test);
        Report.Metrics(output, "test", evaluation, positiveClass);
        model.To(CpuCompute.Default);
        ModelFile.Save(outPath, model, standardizer, new Dictionary<string, string>
        {
            ["stage"] = "trained",
            ["data"] = train.Source,
            ["standardization"] = DataOptions.Describe(mode),
            ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["test_accuracy"] = evaluation.Accuracy.ToString("R", CultureInfo.InvariantCulture),
            ["kept_epoch"] = kept,
        }.WithDivergence(trainer.Divergence), train.ClassNames);
        string splits = SplitsFile.Write(outPath, data.Train, test, options.Seed,
            validation is null ? "none" : line.Get("split")!.ToLowerInvariant(), rows);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote the row indices of each split to {splits}; trained in {seconds:F1} s ({history.Average(h => h.Seconds):F2} s per epoch); saved {outPath} ({new FileInfo(outPath).Length:N0} bytes)"));
        return 0;
    }

    private static MlpSpec ParseSpec(CommandLine line, Dataset train)
    {
        Activation activation = line.Choice("activation", "relu", "leaky-relu", "tanh", "sigmoid", "gelu") switch
        {
            "leaky-relu" => Activation.LeakyRelu,
            "tanh" => Activation.Tanh,
            "sigmoid" => Activation.Sigmoid,
            "gelu" => Activation.Gelu,
            _ => Activation.Relu,
        };
        return DataOptions.Spec("model", line.Get("model")!, train, activation, line.Float("dropout", 0f, 0.99f));
    }

    /// <summary>Throws a usage error when the model's input or output width does not fit the data.</summary>
    public static void CheckFits(MlpSpec spec, Dataset data)
    {
        if (spec.InputSize != data.FeatureCount)
            throw new UsageException($"the model's input width {spec.InputSize} does not match the data's {data.FeatureCount} features (--model {spec}); {Has(data)}");
        if (spec.OutputSize != data.Classes)
            throw new UsageException($"the model's output width {spec.OutputSize} does not match the data's {data.Classes} classes (--model {spec}); {Has(data)}");
    }

    private static string Has(Dataset data) =>
        $"the data have {data.FeatureCount} features and {data.Classes} classes: write {data.FeatureCount}-…-{data.Classes}, or the hidden widths only (e.g. 128)";
}
