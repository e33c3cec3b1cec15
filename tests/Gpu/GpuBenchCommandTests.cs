using System.Text.Json;
using TinyKd.Cli;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Gpu;

// tinykd bench --device: the device's SGEMM kernels and train/KD steps timed on ILGPU's CPU accelerator at tiny sizes,
// every GEMM checked, the CPU-only rows skipped with a line saying so; options of one kind of run refused in the other.
public sealed class GpuBenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-device-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Bench_on_the_ilgpu_cpu_device_times_every_gemm_kernel_and_the_steps_and_skips_the_cpu_only_rows()
    {
        string path = Path.Combine(_dir, "device.json");
        var output = new StringWriter();
        Assert.Equal(0, BenchCommand.Run(["--device", "ilgpu-cpu", "--quick", "--sizes", "17", "--batches", "5", "--teacher", "9-12-3",
            "--student", "9-4-3", "--json", path], output));
        string text = output.ToString();
        Assert.Contains("sparse and int8 rows: skipped on ilgpu-cpu", text);
        Assert.DoesNotContain("WRONG RESULT", text);
        Assert.Equal(5, text.Split('\n').Count(line => line.Contains(", blocked8x8 (default)")));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("ilgpu-cpu", json.RootElement.GetProperty("device").GetString());
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        string[] gemms = ["gemm_17", "fc1_forward", "fc1_dx", "fc1_dw", "fc2_forward"];
        Assert.Equal([.. gemms.SelectMany(g => new[] { $"{g}_tiled", $"{g}_blocked", $"{g}_blocked8x8", $"{g}_splitk" }), "train_teacher_b5", "distill_student_b5"],
            results.Select(r => r.GetProperty("id").GetString()!));
        foreach (JsonElement r in results)
        {
            Assert.Equal("ilgpu-cpu", r.GetProperty("device").GetString());
            double seconds = r.GetProperty("seconds").GetDouble();
            Assert.True(double.IsFinite(seconds) && seconds > 0, $"seconds = {seconds} in {r}");
            if (r.GetProperty("kind").GetString() == "gemm") Assert.True(r.GetProperty("valid").GetBoolean(), r.ToString());
        }
        // The steps' launches and copies (GpuLaunchCountTests pins the counts): the 2-layer teacher's train step and the
        // student's KD step, data already on the device.
        Assert.Equal(10, results[^2].GetProperty("kernel_launches").GetInt64());
        Assert.Equal(16, results[^1].GetProperty("kernel_launches").GetInt64());
        Assert.All(results[^2..], r => Assert.Equal(0, r.GetProperty("host_copies").GetInt64()));
        Assert.Contains("kernels", text);
        Assert.Equal(128, results[4].GetProperty("m").GetInt32()); // the layer products at the training batch
        Assert.Equal(5, results[^1].GetProperty("batch").GetInt32());
    }

    [Theory]
    [InlineData(new[] { "--device", "ilgpu-cpu", "--threads", "2" }, "'--threads' applies to the CPU rows")]
    [InlineData(new[] { "--device", "ilgpu-cpu", "--openblas" }, "'--openblas' applies to the CPU rows")]
    [InlineData(new[] { "--device", "ilgpu-cpu", "a.tkd" }, "MODEL")]
    [InlineData(new[] { "--device", "ilgpu-cpu", "--sizes", "64,0" }, "'--sizes' must be positive integers")]
    [InlineData(new[] { "--device", "ilgpu-cpu", "--teacher", "784" }, "'--teacher'")]
    [InlineData(new[] { "--sizes", "64" }, "'--sizes' applies to --device runs")]
    [InlineData(new[] { "--batches", "8" }, "'--batches' applies to --device runs")]
    public void Bench_refuses_options_of_the_other_kind_of_run_by_name(string[] args, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => BenchCommand.Run(args, TextWriter.Null)).Message);
}
