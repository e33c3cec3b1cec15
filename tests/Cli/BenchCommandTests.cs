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
    public void Quick_bench_writes_every_result_checked_against_the_reference_with_finite_positive_rates_to_json()
    {
        string path = Path.Combine(_dir, "bench.json");
        var output = new StringWriter();

        Assert.Equal(0, BenchCommand.Run(["--quick", "--json", path], output));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = json.RootElement;
        int threads = root.GetProperty("machine").GetProperty("threads").GetInt32();
        Assert.True(threads >= 1, root.GetProperty("machine").ToString());

        // The peak is measured wherever the processor has FMA (0 is written only for "not measured", and then no
        // row may claim a share of it).
        JsonElement peak = root.GetProperty("peak");
        int vectorBits = peak.GetProperty("vector_bits").GetInt32();
        Assert.Contains(vectorBits, new[] { 0, 256, 512 });
        bool peakMeasured = vectorBits > 0;
        Assert.Equal(threads, peak.GetProperty("threads").GetInt32());
        foreach (string name in new[] { "single_core_gflops", "all_cores_gflops" })
        {
            double gflops = peak.GetProperty(name).GetDouble();
            Assert.True(peakMeasured ? double.IsFinite(gflops) && gflops > 0 : gflops == 0, $"{name} {gflops} with {vectorBits}-bit vectors");
        }

        var rows = root.GetProperty("results").EnumerateArray().ToList();
        var results = rows.ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(ResultIds.Order(), results.Keys.Order());
        foreach (JsonElement r in results.Values)
        {
            AssertFinitePositive(r, "seconds");
            AssertFinitePositive(r, "gflops");
            Assert.True(r.GetProperty("threads").GetInt32() >= 1, r.ToString());
            if (peakMeasured) AssertFinitePositive(r, "percent_of_peak");
            else Assert.False(r.TryGetProperty("percent_of_peak", out _), r.ToString());
        }

        // Every GEMM row was checked against a double-precision reference, and its FLOP count is its shape's.
        var gemms = rows.Where(r => r.GetProperty("kind").GetString() == "gemm").ToList();
        Assert.Equal(["gemm_1024_1t", "gemm_1024", "fc1_forward", "fc1_dx", "fc1_dw", "fc2_forward", "fc2_dx", "fc2_dw", "fc3_forward"],
            gemms.Select(r => r.GetProperty("id").GetString()!));
        foreach (JsonElement r in gemms)
        {
            Assert.True(r.GetProperty("valid").GetBoolean(), $"GEMM result differs from the reference: {r}");
            double m = r.GetProperty("m").GetInt32(), n = r.GetProperty("n").GetInt32(), k = r.GetProperty("k").GetInt32();
            Assert.Equal(2 * m * n * k, r.GetProperty("flops").GetDouble());
        }
        Assert.Equal(1, results["gemm_1024_1t"].GetProperty("threads").GetInt32());
        Assert.True(results["fc1_dw"].GetProperty("transpose_a").GetBoolean());
        foreach (string id in new[] { "train_teacher", "train_student", "distill_student" }) AssertFinitePositive(results[id], "ms_per_step");
        foreach (string id in ResultIds.Where(id => id.StartsWith("infer_", StringComparison.Ordinal))) AssertFinitePositive(results[id], "samples_per_second");
        Assert.Contains("train step 784-1200-1200-10", output.ToString());
        Assert.DoesNotContain("WRONG RESULT", output.ToString());
    }

    private static void AssertFinitePositive(JsonElement result, string property)
    {
        double value = result.GetProperty(property).GetDouble();
        Assert.True(double.IsFinite(value) && value > 0, $"{property} = {value} in {result}");
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
