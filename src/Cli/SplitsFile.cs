using System.Text.Json;
using TinyKd.Distill.Data;
using TinyKd.Distill.Pipeline;

namespace TinyKd.Cli;

/// <summary>
/// Writes the row indices of each split of a run beside its model (<c>MODEL.splits.json</c>), or in the pipeline's
/// report folder (<c>splits.json</c>), so that another engine can train and score on exactly the same rows. Indices
/// are 0-based data rows of the files, header not counted.
/// </summary>
public static class SplitsFile
{
    /// <summary>Where the splits of the model saved at <paramref name="modelPath"/> go: <c>model.tkd</c> → <c>model.splits.json</c>.</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, null) + ".splits.json";

    /// <summary>
    /// Writes <paramref name="rows"/> (split name → row indices of the training file) and every row of the test file
    /// as <c>test</c>, with the files, the seed and how the validation rows were drawn; returns the path written.
    /// </summary>
    public static string Write(string modelPath, Dataset train, Dataset test, ulong seed, string method, IReadOnlyDictionary<string, int[]> rows)
    {
        var content = Files(train, test);
        content["seed"] = seed;
        content["validation_split"] = method;
        content["class_names"] = train.ClassNames;
        content["rows"] = new Dictionary<string, int[]>(rows) { ["test"] = TestRows(test) };
        return Save(PathFor(modelPath), content);
    }

    /// <summary>
    /// Writes <c>splits.json</c> in <paramref name="folder"/>: the files, the seeds, every row of the test file as
    /// <c>test</c>, and per scenario and seed the <c>labelled</c> rows (the teacher's and the student alone's), the
    /// <c>validation</c> rows and the <c>transfer</c> rows (the distilled student's; indices from the training file's
    /// row count on are rows of <paramref name="unlabelled"/>); returns the path written.
    /// </summary>
    public static string WritePipeline(string folder, Dataset train, Dataset test, Dataset? unlabelled, IReadOnlyList<ulong> seeds,
        IReadOnlyList<SeedSplits> splits)
    {
        var content = Files(train, test);
        content["unlabelled_file"] = unlabelled?.Source;
        content["seeds"] = seeds;
        content["validation_split"] = "stratified";
        content["class_names"] = train.ClassNames;
        content["test"] = TestRows(test);
        content["scenarios"] = splits.GroupBy(s => s.Scenario).ToDictionary(g => g.Key, g => g.ToDictionary(
            s => s.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s => new Dictionary<string, int[]> { ["labelled"] = s.Rows.Labelled, ["validation"] = s.Rows.Validation, ["transfer"] = s.Rows.Transfer }));
        return Save(Path.Combine(folder, "splits.json"), content);
    }

    /// <summary>How a run's kept weights are described: the best validation epoch (with --keep-best) or the last one.</summary>
    public static string KeptEpoch(int bestEpoch, int? epochsRun) => bestEpoch > 0
        ? $"epoch {bestEpoch} (best validation accuracy, --keep-best)"
        : epochsRun is { } last ? $"epoch {last} (the last)" : "the last epoch";

    private static Dictionary<string, object?> Files(Dataset train, Dataset test) => new()
    {
        ["train_file"] = train.Source,
        ["test_file"] = test.Source,
    };

    private static int[] TestRows(Dataset test) => Enumerable.Range(0, test.Count).ToArray();

    private static string Save(string path, Dictionary<string, object?> content)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(content));
        return path;
    }
}
