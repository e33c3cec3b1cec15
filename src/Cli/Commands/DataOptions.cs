using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;

namespace TinyKd.Cli.Commands;

/// <summary>The training and test data a command read, and whether they are Fashion-MNIST images.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split, with the training split's classes.</param>
/// <param name="Images">True for Fashion-MNIST (sample, full or an IDX folder); false for a user's CSV or .npy files.</param>
public sealed record LoadedData(Dataset Train, Dataset Test, bool Images)
{
    /// <summary>The training and the test split.</summary>
    public void Deconstruct(out Dataset train, out Dataset test) => (train, test) = (Train, Test);
}

/// <summary>The data options shared by the commands that read a training and a test split.</summary>
public static class DataOptions
{
    /// <summary>--data.</summary>
    public static OptionSpec Data { get; } = new("data", "sample|full|DIR|FILE",
        "embedded 10k/2k sample, the Debian full set (scripts/install-full-data.sh), a folder of the four IDX files, " +
        "or your own training file: FILE.csv, or FILE.npy with its labels in FILE.labels.npy (then --test)", "sample");

    /// <summary>--test.</summary>
    public static OptionSpec Test { get; } = new("test", "FILE", "the test file when --data is a CSV or .npy file (same kind and columns)");

    /// <summary>--label.</summary>
    public static OptionSpec Label { get; } = new("label", "COLUMN", "the label column of CSV data (default: the last column)");

    /// <summary>--standardize.</summary>
    public static OptionSpec Standardize { get; } = new("standardize", "MODE",
        "auto (global for images, per-feature for CSV/.npy data), global, per-feature or none", "auto");

    /// <summary>--split.</summary>
    public static OptionSpec Split { get; } = new("split", "MODE",
        "how validation rows are drawn: stratified (each class keeps its share) or random", "stratified");

    /// <summary>--keep-best.</summary>
    public static OptionSpec KeepBest { get; } = new("keep-best", null,
        "end with the weights of the best validation epoch instead of the last epoch's (the default)");

    /// <summary>--positive-class.</summary>
    public static OptionSpec PositiveClass { get; } = new("positive-class", "NAME",
        "the positive class of a binary task (ROC AUC, PR-AUC, its precision/recall/F1; default: the second class in sorted order); " +
        "with more classes, that class against the rest");

    /// <summary>
    /// The class --positive-class names in <paramref name="data"/> (a class name, or an index for data without
    /// names), or null when the option is not given.
    /// </summary>
    /// <exception cref="UsageException">The name is not among the data's classes; the message lists them.</exception>
    public static int? PositiveClassOf(CommandLine line, Dataset data)
    {
        if (line.Get("positive-class") is not { } name) return null;
        IReadOnlyList<string> names = Report.ClassNames(data);
        for (int c = 0; c < names.Count; c++)
        {
            if (string.Equals(names[c], name, StringComparison.Ordinal)) return c;
        }
        throw new UsageException($"--positive-class '{name}' is not a class of the data; the classes are {string.Join(", ", names.Select(n => $"'{n}'"))}");
    }

    /// <summary>The training and validation rows of <paramref name="data"/> as --split asks.</summary>
    public static (int[] Train, int[] Validation) SplitRows(CommandLine line, Dataset data, double fraction, ulong seed) =>
        line.Choice("split", "stratified", "random") == "random"
            ? data.SplitRows(fraction, seed)
            : data.StratifiedSplitRows(fraction, seed);

    /// <summary>--data, --test and --label.</summary>
    public static IReadOnlyList<OptionSpec> All { get; } = [Data, Test, Label];

    /// <summary>
    /// Loads the train and test splits named by --data (and --test, --label). A CSV file's labels are mapped to
    /// <paramref name="classNames"/> when given (a saved model's classes, by name), else to the training file's classes.
    /// </summary>
    /// <exception cref="UsageException">--test or --label without a data file, a data file without --test, or files of two kinds.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or a CSV label is not one of the classes (named with its file and line).</exception>
    public static LoadedData Load(CommandLine line, IReadOnlyList<string>? classNames = null)
    {
        string? data = line.Get("data");
        string? test = line.GetAll("test").LastOrDefault();
        string? label = line.GetAll("label").LastOrDefault();
        bool csv = data is not null && TabularData.IsCsv(data), npy = data is not null && TabularData.IsNpy(data);
        if (!csv && !npy)
        {
            if (test is not null) throw new UsageException($"--test names the test file of CSV or .npy data; --data '{data}' is Fashion-MNIST, which has its own test split");
            if (label is not null) throw new UsageException("--label names the label column of CSV data; give --data FILE.csv");
            if (line.GetAll("missing-label").Count > 0) throw new UsageException("--missing-label marks label cells of CSV data; give --data FILE.csv");
            var (train, images) = TinyKd.Samples.FashionMnistSample.Resolve(data);
            return new LoadedData(train, images, Images: true);
        }
        if (test is null) throw new UsageException($"--data '{data}' is a {(csv ? "CSV" : ".npy")} file; give its test file with --test FILE");
        if (csv != TabularData.IsCsv(test) || npy != TabularData.IsNpy(test))
            throw new UsageException($"--data '{data}' and --test '{test}' must be files of the same kind (both .csv or both .npy)");
        if (npy && label is not null) throw new UsageException($"--label is for CSV data; the labels of '{data}' are in '{TabularData.LabelsPath(data!)}'");
        string? missingLabel = line.GetAll("missing-label").LastOrDefault();
        if (npy && missingLabel is not null) throw new UsageException($"--missing-label marks label cells of CSV data; give the rows of '{data}' without labels with --unlabelled");
        var (trainSet, testSet) = csv ? TabularData.LoadCsv(data!, test, label, classNames, missingLabel) : TabularData.LoadNpy(data!, test);
        return new LoadedData(trainSet, testSet, Images: false);
    }

    /// <summary>
    /// The standardisation --standardize asks for (null for none); <c>auto</c> is global for images and per-feature
    /// for a user's data.
    /// </summary>
    public static StandardizationMode? Standardization(CommandLine line, LoadedData data) =>
        line.Choice("standardize", "auto", "global", "per-feature", "none") switch
        {
            "none" => null,
            "global" => StandardizationMode.Global,
            "per-feature" => StandardizationMode.PerFeature,
            _ => data.Images ? StandardizationMode.Global : StandardizationMode.PerFeature,
        };

    /// <summary>How a standardisation is named in printed output and reports.</summary>
    public static string Describe(StandardizationMode? mode) => mode switch
    {
        null => "not standardised",
        StandardizationMode.PerFeature => "standardised per feature",
        _ => "globally standardised",
    };

    /// <summary>
    /// The MLP that option <paramref name="option"/> (value <paramref name="raw"/>) names for <paramref name="data"/>:
    /// one or two widths are hidden widths only (the data give the input and output widths: 128 → F-128-C); three or
    /// more are a full spec, input to output, which must agree with the data.
    /// </summary>
    /// <exception cref="UsageException">A width is not a positive integer, or a full spec disagrees with the data.</exception>
    public static MlpSpec Spec(string option, string raw, Dataset data, Activation activation, float dropout)
    {
        string sizes = raw.Split('-').Length <= 2 ? $"{data.FeatureCount}-{raw}-{data.Classes}" : raw;
        MlpSpec spec;
        try
        {
            spec = MlpSpec.Parse(sizes, activation, dropout);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"option '--{option}': {Messages.Plain(e)}");
        }
        TrainCommand.CheckFits(spec, data);
        return spec;
    }
}
