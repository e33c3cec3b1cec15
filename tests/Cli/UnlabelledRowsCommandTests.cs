using System.Text.Json;
using TinyKd.Cli;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Cli;

// distill and pipeline with rows whose labels are unknown: a features-only file (--unlabelled) and marked label
// cells of the training CSV (--missing-label). Such rows reach the distilled student's transfer set only.
public sealed class UnlabelledRowsCommandTests : IDisposable
{
    private readonly OwnDataFolder _data = new("tinykd-unlabelled-");

    public void Dispose() => _data.Dispose();

    // The training CSV with the label of every 4th row replaced by '?'; returns the rows so marked.
    private (string Path, int[] Marked) WithMissingLabels()
    {
        string[] lines = File.ReadAllLines(_data.Train);
        int[] marked = Enumerable.Range(0, lines.Length - 1).Where(r => r % 4 == 3).ToArray();
        foreach (int r in marked) lines[r + 1] = lines[r + 1][..lines[r + 1].LastIndexOf(',')] + ",?";
        string path = _data.File("partly-labelled.csv");
        File.WriteAllLines(path, lines);
        return (path, marked);
    }

    // 60 rows of the training file's feature columns, without the label column.
    private string FeaturesOnly()
    {
        string[] lines = File.ReadAllLines(OwnDataFiles.WriteCsv(_data.File("more-labelled.csv"), 60, seed: 3));
        string path = _data.File("more.csv");
        File.WriteAllLines(path, lines.Select(l => l[..l.LastIndexOf(',')]));
        return path;
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public void Pipeline_adds_the_unlabelled_rows_and_the_marked_rows_to_the_transfer_sets_only()
    {
        var (train, marked) = WithMissingLabels();
        string report = _data.File("report");
        var output = new StringWriter();
        Assert.Equal(0, PipelineCommand.Run(["--data", train, "--test", _data.Test, "--missing-label", "?", "--unlabelled", FeaturesOnly(),
            "--teacher", "32", "--student", "8", "--teacher-epochs", "60", "--student-epochs", "60", "--seeds", "1", "--no-search",
            "--labelled", "60", "--no-prune", "--no-int8", "--report", report], output));
        Assert.Contains("240 train (60 without a label) + 60 unlabelled from ", output.ToString());
        // All labels: 18 of the 180 labelled rows validate; the distilled student adds the 60 marked and 60 extra rows.
        Assert.Contains("also learns from the teacher's soft targets on 120 unlabelled samples", output.ToString());

        using var splits = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "splits.json")));
        JsonElement scenarios = splits.RootElement.GetProperty("scenarios");
        Assert.EndsWith("more.csv", splits.RootElement.GetProperty("unlabelled_file").GetString());
        foreach (string scenario in new[] { "all labels", "few labels" })
        {
            JsonElement seed = scenarios.GetProperty(scenario).GetProperty("1");
            int[] labelled = Ints(seed.GetProperty("labelled")), validation = Ints(seed.GetProperty("validation")), transfer = Ints(seed.GetProperty("transfer"));
            Assert.Empty(labelled.Intersect(marked));
            Assert.Empty(validation.Intersect(marked));
            Assert.Subset(transfer.ToHashSet(), marked.ToHashSet());
            Assert.Equal(Enumerable.Range(240, 60), transfer.Where(r => r >= 240));
            Assert.Equal(Enumerable.Range(0, 300).Except(validation), transfer);
        }
    }

    [Fact]
    public void Distill_trains_on_the_unlabelled_rows_and_keeps_them_out_of_validation()
    {
        var (train, marked) = WithMissingLabels();
        Assert.Equal(0, TrainCommand.Run(["--data", _data.Train, "--test", _data.Test, "--model", "16", "--epochs", "20", "--batch-size", "32",
            "--lr", "0.01", "--out", _data.File("teacher.tkd")], TextWriter.Null));
        var output = new StringWriter();
        Assert.Equal(0, DistillCommand.Run(["--teacher", _data.File("teacher.tkd"), "--student", "8", "--data", train, "--test", _data.Test,
            "--missing-label", "?", "--unlabelled", FeaturesOnly(), "--epochs", "5", "--batch-size", "32", "--out", _data.File("student.tkd")], output));
        // 180 rows with a label: 18 for validation (stratified, 6 per class), 162 labelled transfer rows, then the 60
        // marked rows and the 60 rows of the unlabelled file.
        Assert.Contains("282 transfer samples (162 labelled), 18 validation", output.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(_data.File("student.splits.json")));
        JsonElement rows = json.RootElement.GetProperty("rows");
        Assert.Empty(Ints(rows.GetProperty("validation")).Intersect(marked));
        Assert.Empty(Ints(rows.GetProperty("transfer_labelled")).Intersect(marked));
        Assert.Equal(Enumerable.Range(240, 60), Ints(rows.GetProperty("transfer")).Where(r => r >= 240));
    }

    [Fact]
    public void Without_the_marker_a_marked_row_is_an_error_not_a_class()
    {
        var (train, _) = WithMissingLabels();
        var e = Assert.Throws<InvalidDataException>(() => PipelineCommand.Run(["--data", train, "--test", _data.Test, "--report", _data.File("r")], TextWriter.Null));
        Assert.Contains("label '?' reads as a missing value", e.Message);
    }

    [Theory]
    [InlineData("--missing-label", "?", "CSV data")]
    [InlineData("--unlabelled", "more.csv", "IDX images file")]
    public void Unlabelled_options_that_do_not_fit_fashion_mnist_are_usage_errors(string option, string value, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => PipelineCommand.Run([option, value, "--report", _data.File("r")], TextWriter.Null)).Message);
}
