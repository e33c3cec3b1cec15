using System.Text.Json;
using TinyKd.Distill.Data;

namespace TinyKd.Cli;

/// <summary>
/// Writes the row indices of each split of a run beside its model (<c>MODEL.splits.json</c>), so that another engine
/// can train and score on exactly the same rows. Indices are 0-based data rows of the files, header not counted.
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
        var all = new Dictionary<string, int[]>(rows) { ["test"] = Enumerable.Range(0, test.Count).ToArray() };
        var content = new Dictionary<string, object?>
        {
            ["train_file"] = train.Source,
            ["test_file"] = test.Source,
            ["seed"] = seed,
            ["validation_split"] = method,
            ["class_names"] = train.ClassNames,
            ["rows"] = all,
        };
        string path = PathFor(modelPath);
        File.WriteAllText(path, JsonSerializer.Serialize(content));
        return path;
    }

    /// <summary>How a run's kept weights are described: the best validation epoch (with --keep-best) or the last one.</summary>
    public static string KeptEpoch(int bestEpoch, int? epochsRun) => bestEpoch > 0
        ? $"epoch {bestEpoch} (best validation accuracy, --keep-best)"
        : epochsRun is { } last ? $"epoch {last} (the last)" : "the last epoch";
}
