using System.Text.Json;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Cli;

// tinykd pipeline on a tiny budget: the table, the verdicts and the report folder.
public sealed class PipelineCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_small_pipeline_prints_both_scenarios_and_writes_the_report_folder()
    {
        var output = new StringWriter();
        string report = Path.Combine(_dir, "report");
        Assert.Equal(0, PipelineCommand.Run(["--teacher", "784-32-10", "--student", "784-8-10", "--teacher-epochs", "1", "--student-epochs", "1",
            "--seeds", "1,2", "--no-search", "--labelled", "500", "--prune", "0.9", "--prune-epochs", "2", "--report", report], output));
        string text = output.ToString();
        Assert.Contains("## all labels", text);
        Assert.Contains("## few labels", text);
        Assert.Contains("distilled student vs student alone", text);
        foreach (string file in new[] { "report.md", "report.json", "report.html" }) Assert.True(File.Exists(Path.Combine(report, file)), file);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        JsonElement few = json.RootElement.GetProperty("scenarios")[1];
        Assert.Equal("few labels", few.GetProperty("name").GetString());
        Assert.Equal(["teacher", "student alone", "student distilled", "student pruned 90%", "student int8", "student pruned 90% int8"],
            few.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(2, few.GetProperty("models")[2].GetProperty("accuracy").GetProperty("count").GetInt32());
        Assert.Contains(few.GetProperty("comparison").GetProperty("verdict").GetString(), new[] { "wins", "ties", "loses" });

        var teacher = ModelFile.Load(Path.Combine(report, "models", "few-labels", "teacher.tkd"));
        Assert.NotNull(teacher.Standardizer);
    }

    [Fact]
    public void The_pruned_stage_prunes_each_distilled_student_and_saves_the_served_sparse_model()
    {
        var output = new StringWriter();
        string report = Path.Combine(_dir, "pruned");
        Assert.Equal(0, PipelineCommand.Run(["--teacher", "784-32-10", "--student", "784-16-10", "--teacher-epochs", "1", "--student-epochs", "2",
            "--seeds", "1,2", "--no-search", "--scenario", "all", "--prune", "0.5,0.9", "--layout", "sparse", "--report", report], output));

        Assert.Contains("- student pruned 90% vs student distilled: ", output.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        JsonElement all = json.RootElement.GetProperty("scenarios")[0];
        JsonElement distilled = all.GetProperty("models")[2], pruned = all.GetProperty("models")[4];
        Assert.Equal("student pruned 90%", pruned.GetProperty("name").GetString());
        Assert.Equal(2, pruned.GetProperty("accuracy").GetProperty("count").GetInt32());
        // 8×1 blocks: 16 × 784 weights are 1,568 blocks, of which round(0.9 · 1,568) = 1,411 are pruned.
        Assert.Equal(1411.0 / 1568, pruned.GetProperty("sparsity").GetDouble(), 1e-12);
        Assert.Equal(0, distilled.GetProperty("sparsity").GetDouble());
        Assert.True(pruned.GetProperty("parameters").GetInt64() < distilled.GetProperty("parameters").GetInt64() / 5);
        Assert.True(pruned.GetProperty("modelBytes").GetInt64() < distilled.GetProperty("modelBytes").GetInt64() / 3);
        Assert.True(pruned.GetProperty("samplesPerSecond").GetDouble() > 0);
        var costs = all.GetProperty("pruning").EnumerateArray().ToList();
        Assert.Equal(["student pruned 50%", "student pruned 90%", "student int8", "student pruned 90% int8"], costs.Select(c => c.GetProperty("model").GetString()));
        double change = 100 * (pruned.GetProperty("accuracy").GetProperty("mean").GetDouble() - distilled.GetProperty("accuracy").GetProperty("mean").GetDouble());
        Assert.Equal(change, costs[1].GetProperty("changePoints").GetDouble(), 1e-9);

        var saved = ModelFile.Load(Path.Combine(report, "models", "all-labels", "student-pruned-90.tkd"));
        Assert.Contains(saved.Model.AffineLayers, l => l is TinyKd.Autograd.Nn.SparseLinear);
        Assert.Equal(pruned.GetProperty("parameters").GetInt64(), saved.Model.StoredParameterCount());

        // The int8 stage: the distilled student and its 90 %-pruned copy, quantized after training.
        JsonElement int8 = all.GetProperty("models")[5], prunedInt8 = all.GetProperty("models")[6];
        Assert.Equal("student int8", int8.GetProperty("name").GetString());
        Assert.Equal(2, int8.GetProperty("accuracy").GetProperty("count").GetInt32());
        Assert.True(int8.GetProperty("modelBytes").GetInt64() < distilled.GetProperty("modelBytes").GetInt64() / 3);
        Assert.True(prunedInt8.GetProperty("modelBytes").GetInt64() < pruned.GetProperty("modelBytes").GetInt64());
        Assert.All(ModelFile.Load(Path.Combine(report, "models", "all-labels", "student-int8.tkd")).Model.AffineLayers,
            l => Assert.IsType<TinyKd.Autograd.Nn.QuantizedLinear>(l));
        Assert.Contains(ModelFile.Load(Path.Combine(report, "models", "all-labels", "student-pruned-90-int8.tkd")).Model.AffineLayers,
            l => l is TinyKd.Autograd.Nn.SparseQuantizedLinear);
    }

    [Fact]
    public void With_augment_the_distilled_students_train_on_shifted_images()
    {
        var output = new StringWriter();
        Assert.Equal(0, PipelineCommand.Run(["--teacher", "784-16-10", "--student", "784-8-10", "--teacher-epochs", "1", "--student-epochs", "1",
            "--seeds", "1", "--no-search", "--scenario", "few", "--labelled", "500", "--augment", "--prune", "0.8", "--prune-epochs", "2",
            "--no-int8", "--report", Path.Combine(_dir, "aug")], output));
        Assert.Contains("## few labels", output.ToString());
        Assert.DoesNotContain("int8", output.ToString());
    }

    [Theory]
    [InlineData("--seeds", "1,x", "--seeds")]
    [InlineData("--seeds", "2,2", "repeat")]
    [InlineData("--student", "784-32-5", "784-32-5")]
    [InlineData("--labelled", "5", "--labelled")]
    [InlineData("--scenario", "most", "--scenario")]
    [InlineData("--prune", "0.9,1.5", "--prune")]
    [InlineData("--prune", "0.9,0.9", "distinct")]
    [InlineData("--prune-epochs", "-1", "--prune-epochs")]
    public void Bad_arguments_are_usage_errors_naming_them(string option, string value, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => PipelineCommand.Run([option, value, "--report", _dir], TextWriter.Null)).Message);

    [Fact]
    public void A_missing_data_folder_names_it_and_the_debian_package()
    {
        var e = Assert.ThrowsAny<IOException>(() => PipelineCommand.Run(["--data", Path.Combine(_dir, "nowhere")], TextWriter.Null));
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }
}
