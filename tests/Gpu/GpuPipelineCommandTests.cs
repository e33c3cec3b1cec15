using System.Text.Json;
using TinyKd.Cli.Commands;
using TinyKd.Tests.Cli;

namespace TinyKd.Tests.Gpu;

// tinykd pipeline --device: the console and the report say that the teacher and the students trained on the device and
// the pruned and int8 stages on the CPU; the run writes the same table as on the CPU (GpuPipelineTests trains models
// that learn and compares them).
public sealed class GpuPipelineCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-device-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    // The test accuracy of every model of every scenario, by "scenario/model", from report.json; and the console output.
    private (Dictionary<string, double> Accuracies, string Output, string Recipe) Pipeline(string device)
    {
        string train = OwnDataFiles.WriteCsv(File("train.csv"), 120, seed: 1), test = OwnDataFiles.WriteCsv(File("test.csv"), 60, seed: 2);
        string report = File($"report-{device}");
        var output = new StringWriter();
        Assert.Equal(0, PipelineCommand.Run(["--data", train, "--test", test, "--teacher", "16", "--student", "8", "--teacher-epochs", "3",
            "--student-epochs", "3", "--seeds", "1,2", "--no-search", "--scenario", "all", "--prune", "0.9", "--prune-epochs", "2",
            "--layout", "sparse", "--allow-divergence", "--device", device, "--report", report], output));
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(report, "report.json")));
        var accuracies = new Dictionary<string, double>();
        foreach (JsonElement scenario in json.RootElement.GetProperty("scenarios").EnumerateArray())
            foreach (JsonElement model in scenario.GetProperty("models").EnumerateArray())
                accuracies[$"{scenario.GetProperty("name").GetString()}/{model.GetProperty("name").GetString()}"] =
                    model.GetProperty("accuracy").GetProperty("mean").GetDouble();
        return (accuracies, output.ToString(), json.RootElement.GetProperty("recipe").GetString()!);
    }

    [Fact]
    public void Pipeline_on_the_ilgpu_cpu_device_says_where_each_stage_ran_and_reports_the_cpu_runs_models()
    {
        var (cpu, cpuOutput, cpuRecipe) = Pipeline("cpu");
        var (gpu, gpuOutput, gpuRecipe) = Pipeline("ilgpu-cpu");

        Assert.Contains("teacher and students trained on ilgpu-cpu", gpuOutput);
        Assert.Contains("pruning fine-tune and int8 quantization on the CPU", gpuOutput);
        Assert.Contains("teacher and students trained on ilgpu-cpu", gpuRecipe);
        Assert.DoesNotContain("trained on ilgpu-cpu", cpuOutput);
        Assert.EndsWith("trained on the CPU", cpuRecipe);
        Assert.Contains("distilled student vs student alone", gpuOutput);
        Assert.Equal(cpu.Keys, gpu.Keys);
        Assert.Equal(6, cpu.Count); // teacher, alone, distilled, pruned, int8, pruned int8
        // The device's sums run in another order: a model may differ by a test row (1/60) from the CPU's, no more.
        foreach (var (model, accuracy) in cpu)
            Assert.True(Math.Abs(accuracy - gpu[model]) <= 1.0 / 60 + 1e-9, $"{model}: test accuracy {gpu[model]} on ilgpu-cpu, {accuracy} on the CPU");
    }
}
