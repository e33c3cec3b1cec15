using System.Text.Json;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Cli;

// The pipeline on a small CSV: which epoch each model kept (the last by default, the best validation one with
// --keep-best) and the splits file that lets another engine train on the same rows.
public sealed class PipelineHonestyTests : IDisposable
{
    private readonly OwnDataFolder _data = new("tinykd-pipeline-honesty-");
    public void Dispose() => _data.Dispose();

    private (string Output, JsonDocument Report) Pipeline(string report, params string[] more)
    {
        var output = new StringWriter();
        Assert.Equal(0, PipelineCommand.Run(["--data", _data.Train, "--test", _data.Test, "--teacher", "32", "--student", "8",
            "--teacher-epochs", "60", "--student-epochs", "60", "--seeds", "1,2", "--no-search", "--labelled", "60", "--no-prune", "--no-int8",
            "--report", _data.File(report), .. more], output));
        return (output.ToString(), JsonDocument.Parse(File.ReadAllText(Path.Combine(_data.File(report), "report.json"))));
    }

    private static IEnumerable<JsonElement> TrainedModels(JsonDocument report) =>
        report.RootElement.GetProperty("scenarios").EnumerateArray().SelectMany(s => s.GetProperty("models").EnumerateArray());

    [Fact]
    public void By_default_every_model_keeps_its_last_epoch_and_the_report_says_so()
    {
        var (output, report) = Pipeline("last");
        using (report)
        {
            foreach (JsonElement model in TrainedModels(report))
            {
                int epochs = model.GetProperty("curves")[0].GetArrayLength();
                Assert.Equal([epochs, epochs], model.GetProperty("keptEpochs").EnumerateArray().Select(e => e.GetInt32()));
                Assert.EndsWith($"epoch {epochs} kept (the last)", model.GetProperty("settings").GetString());
            }
            Assert.Contains("each model's last epoch kept", report.RootElement.GetProperty("recipe").GetString());
        }
        Assert.Contains("epoch 60 kept (the last)", output);
    }

    [Fact]
    public void Keep_best_keeps_each_seeds_best_validation_epoch_and_says_so()
    {
        var (_, report) = Pipeline("best", "--keep-best");
        using (report)
        {
            foreach (JsonElement model in TrainedModels(report))
            {
                var curves = model.GetProperty("curves").EnumerateArray().Select(c => c.EnumerateArray().Select(v => v.GetDouble()).ToList()).ToList();
                int[] best = curves.Select(c => c.IndexOf(c.Max()) + 1).ToArray();
                Assert.Equal(best, model.GetProperty("keptEpochs").EnumerateArray().Select(e => e.GetInt32()));
                Assert.Contains("kept (best validation, --keep-best)", model.GetProperty("settings").GetString());
            }
            Assert.Contains("best validation epoch kept (--keep-best)", report.RootElement.GetProperty("recipe").GetString());
        }
    }

    [Fact]
    public void The_splits_file_lists_each_scenarios_rows_per_seed_and_they_do_not_overlap()
    {
        Pipeline("splits").Report.Dispose();
        using var splits = JsonDocument.Parse(File.ReadAllText(Path.Combine(_data.File("splits"), "splits.json")));
        JsonElement root = splits.RootElement;
        Assert.Equal(_data.Train, root.GetProperty("train_file").GetString());
        Assert.Equal(Enumerable.Range(0, 90), root.GetProperty("test").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(["alpha", "beta", "gamma"], root.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()));
        int[] Rows(string scenario, string seed, string split) =>
            root.GetProperty("scenarios").GetProperty(scenario).GetProperty(seed).GetProperty(split).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        foreach (string seed in new[] { "1", "2" })
        {
            // All labels: 10 % of 240 rows for validation, the other 216 for every model.
            Assert.Equal(24, Rows("all labels", seed, "validation").Length);
            Assert.Equal(Enumerable.Range(0, 240).Except(Rows("all labels", seed, "validation")), Rows("all labels", seed, "labelled"));
            Assert.Equal(Rows("all labels", seed, "labelled"), Rows("all labels", seed, "transfer"));
            // Few labels: 60 labelled rows, 6 of them for validation; the distilled student sees every other row.
            int[] validation = Rows("few labels", seed, "validation"), labelled = Rows("few labels", seed, "labelled");
            Assert.Equal((6, 54), (validation.Length, labelled.Length));
            Assert.Equal(Enumerable.Range(0, 240).Except(validation), Rows("few labels", seed, "transfer"));
            Assert.Empty(labelled.Intersect(validation));
        }
        Assert.NotEqual(Rows("few labels", "1", "labelled"), Rows("few labels", "2", "labelled"));
    }
}
