using TinyKd.Distill.Data;

namespace TinyKd.Cli.Commands;

/// <summary>
/// The options that bring rows without labels into a distilled student's transfer set (<c>distill</c>, <c>pipeline</c>):
/// <c>--unlabelled FILE</c>, extra rows, and <c>--missing-label MARKER</c>, training CSV rows whose label is unknown.
/// </summary>
public static class UnlabelledData
{
    /// <summary>--unlabelled.</summary>
    public static OptionSpec Unlabelled { get; } = new("unlabelled", "FILE",
        "rows without labels added to the distilled student's transfer set: a CSV of the training file's feature columns " +
        "(no label column), a .npy of float32 features [N, F], or with Fashion-MNIST an IDX images file (raw or .gz)");

    /// <summary>--missing-label.</summary>
    public static OptionSpec MissingLabel { get; } = new("missing-label", "MARKER",
        "a label cell of the training CSV that means 'unknown' (e.g. ? or an empty string): those rows join the transfer set without a label, never as a class");

    /// <summary>Both options.</summary>
    public static IReadOnlyList<OptionSpec> All { get; } = [Unlabelled, MissingLabel];

    /// <summary>
    /// The rows of --unlabelled (every label <see cref="Dataset.Unlabelled"/>, not standardised), or null without the
    /// option: an IDX images file for Fashion-MNIST, a CSV with the training CSV's feature columns, or a .npy of features.
    /// </summary>
    /// <exception cref="UsageException">A file kind that does not go with the training data.</exception>
    public static Dataset? Load(CommandLine line, LoadedData data)
    {
        if (line.Get("unlabelled") is not { } path) return null;
        Dataset extra;
        if (data.Images)
        {
            if (TabularData.IsCsv(path) || TabularData.IsNpy(path))
                throw new UsageException($"--unlabelled '{path}' is a {Path.GetExtension(path)} file; with Fashion-MNIST it must be an IDX images file");
            extra = IdxReader.ReadUnlabelled(path, data.Train.Classes, "unlabelled");
        }
        else
        {
            string trainPath = line.Get("data")!;
            if (!TabularData.IsCsv(path) && !TabularData.IsNpy(path))
                throw new UsageException($"--unlabelled '{path}' must be a .csv or a .npy file of features");
            if (TabularData.IsCsv(path) && !TabularData.IsCsv(trainPath))
                throw new UsageException($"--unlabelled '{path}' is a CSV file but the training data '{trainPath}' is .npy: give a .npy of features");
            string[]? columns = TabularData.IsCsv(path) ? TabularData.FeatureColumns(trainPath, line.GetAll("label").LastOrDefault()) : null;
            extra = TabularData.LoadUnlabelled(path, data.Train, columns);
        }
        if (extra.FeatureCount != data.Train.FeatureCount)
            throw new UsageException($"--unlabelled '{extra.Source}' holds rows of {extra.FeatureCount} features; the training data have {data.Train.FeatureCount}");
        return extra;
    }
}
