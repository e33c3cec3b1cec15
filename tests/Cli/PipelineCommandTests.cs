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
            "--seeds", "1,2", "--no-search", "--labelled", "500", "--report", report], output));
        string text = output.ToString();
        Assert.Contains("## all labels", text);
        Assert.Contains("## few labels", text);
        Assert.Contains("distilled student vs student alone", text);
        foreach (string file in new[] { "report.md", "report.json", "report.html" }) Assert.True(File.Exists(Path.Combine(report, file)), file);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        JsonElement few = json.RootElement.GetProperty("scenarios")[1];
        Assert.Equal("few labels", few.GetProperty("name").GetString());
        Assert.Equal(3, few.GetProperty("models").GetArrayLength());
        Assert.Equal(2, few.GetProperty("models")[2].GetProperty("accuracy").GetProperty("count").GetInt32());
        Assert.Contains(few.GetProperty("comparison").GetProperty("verdict").GetString(), new[] { "wins", "ties", "loses" });

        var teacher = ModelFile.Load(Path.Combine(report, "models", "few-labels", "teacher.tkd"));
        Assert.NotNull(teacher.Standardizer);
    }

    [Fact]
    public void With_augment_the_distilled_students_train_on_shifted_images()
    {
        var output = new StringWriter();
        Assert.Equal(0, PipelineCommand.Run(["--teacher", "784-16-10", "--student", "784-8-10", "--teacher-epochs", "1", "--student-epochs", "1",
            "--seeds", "1", "--no-search", "--scenario", "few", "--labelled", "500", "--augment", "--report", Path.Combine(_dir, "aug")], output));
        Assert.Contains("## few labels", output.ToString());
    }

    [Theory]
    [InlineData("--seeds", "1,x", "--seeds")]
    [InlineData("--seeds", "2,2", "repeat")]
    [InlineData("--student", "784-32-5", "784-32-5")]
    [InlineData("--labelled", "5", "--labelled")]
    [InlineData("--scenario", "most", "--scenario")]
    public void Bad_arguments_are_usage_errors_naming_them(string option, string value, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => PipelineCommand.Run([option, value, "--report", _dir], TextWriter.Null)).Message);

    [Fact]
    public void A_missing_data_folder_names_it_and_the_debian_package()
    {
        var e = Assert.ThrowsAny<IOException>(() => PipelineCommand.Run(["--data", Path.Combine(_dir, "nowhere")], TextWriter.Null));
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }
}
