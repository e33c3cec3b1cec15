using System.Text.Json;
using TinyKd.Cli;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Cli;

/// <summary>
/// Tests that change the process-wide <c>CpuKernels.Path</c> or <c>CpuKernels.Threads</c> (the bench sets both while
/// it runs): xunit runs this collection alone, so no other test's kernels switch path or thread count under it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuKernelSettingsCollection
{
    public const string Name = "CPU kernel settings";
}

[Collection(CpuKernelSettingsCollection.Name)]
public sealed class BenchCommandTests : IDisposable
{
    private static readonly string[] ResultIds =
    [
        "gemm_1024_1t", "gemm_1024", "fc1_forward", "fc1_dx", "fc1_dw", "fc2_forward", "fc2_dx", "fc2_dw", "fc3_forward",
        "train_teacher", "train_student", "distill_student",
        "infer_teacher_b1", "infer_teacher_b256", "infer_student_b1", "infer_student_b256",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Quick_bench_writes_every_result_with_positive_timings_to_json()
    {
        string path = Path.Combine(_dir, "bench.json");
        var output = new StringWriter();

        Assert.Equal(0, BenchCommand.Run(["--quick", "--json", path], output));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("machine").GetProperty("threads").GetInt32() >= 1);
        JsonElement peak = root.GetProperty("peak");
        Assert.True(peak.GetProperty("single_core_gflops").GetDouble() >= 0);
        Assert.True(peak.GetProperty("all_cores_gflops").GetDouble() >= 0);

        var results = root.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(ResultIds.Order(), results.Keys.Order());
        foreach (JsonElement r in results.Values)
        {
            Assert.True(r.GetProperty("seconds").GetDouble() > 0, r.ToString());
            Assert.True(r.GetProperty("gflops").GetDouble() > 0, r.ToString());
            Assert.True(r.GetProperty("threads").GetInt32() >= 1, r.ToString());
        }
        Assert.Equal(1, results["gemm_1024_1t"].GetProperty("threads").GetInt32());
        Assert.True(results["gemm_1024"].GetProperty("valid").GetBoolean());
        Assert.True(results["fc1_dw"].GetProperty("transpose_a").GetBoolean());
        Assert.True(results["train_teacher"].GetProperty("ms_per_step").GetDouble() > 0);
        Assert.True(results["distill_student"].GetProperty("ms_per_step").GetDouble() > 0);
        Assert.True(results["infer_student_b256"].GetProperty("samples_per_second").GetDouble() > 0);
        Assert.Contains("train step 784-1200-1200-10", output.ToString());
    }

    [Theory]
    [InlineData(new[] { "--colour", "red" }, "--colour")]
    [InlineData(new[] { "--threads", "0" }, "--threads")]
    [InlineData(new[] { "--threads", "many" }, "--threads")]
    [InlineData(new[] { "--kernels", "sse" }, "--kernels")]
    [InlineData(new[] { "--json" }, "--json")]
    [InlineData(new[] { "--quick", "extra" }, "'extra'")]
    public void Bench_rejects_bad_arguments_with_a_message_naming_them(string[] args, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => BenchCommand.Run(args, TextWriter.Null)).Message);

    [Fact]
    public void Help_lists_every_option_of_bench()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchCommand.Run(["--help"], output));
        foreach (string option in new[] { "--quick", "--json", "--threads", "--kernels" })
            Assert.Contains(option, output.ToString());
    }
}
