using System.Text.Json;
using TinyKd.Autograd.Nn;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Reports;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

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
    private static readonly (string Id, string Model)[] SparseSubjects =
    [
        ("teacher_fc1", "784-1200"), ("teacher_fc2", "1200-1200"), ("student_fc1", "784-128"),
        ("teacher", "784-1200-1200-10"), ("student", "784-128-10"),
    ];

    private static readonly string[] ResultIds =
    [
        "gemm_1024_1t", "gemm_1024", "fc1_forward", "fc1_dx", "fc1_dw", "fc2_forward", "fc2_dx", "fc2_dw", "fc3_forward",
        "train_teacher", "train_student", "distill_student",
        "infer_teacher_b1", "infer_teacher_b256", "infer_student_b1", "infer_student_b256",
        .. from subject in SparseSubjects
           from batch in new[] { 1, 256 }
           from form in new[] { "dense", "sparse50", "sparse80", "sparse90", "sparse95" }
           select $"{subject.Id}_{form}_b{batch}",
        .. from subject in SparseSubjects
           from batch in new[] { 1, 256 }
           from form in new[] { "fp32", "int8" }
           select $"{subject.Id}_{form}_b{batch}",
    ];

    // The bench's GEMM rows repeated on every other vector path the processor supports (none on an AVX2-only CPU).
    private static IEnumerable<string> OtherPathIds(KernelPath path) =>
        from other in CpuKernels.Supported
        where other != path && other != KernelPath.Scalar
        from id in new[] { "gemm_1024_1t", "fc1_forward", "fc1_dx", "fc1_dw", "fc2_forward", "fc2_dx", "fc2_dw", "fc3_forward" }
        select $"{id}_{other.ToString().ToLowerInvariant()}";

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
        Assert.Equal(MachineDescription.CpuModel, root.GetProperty("machine").GetProperty("cpu_model").GetString());
        Assert.StartsWith($"tinykd bench: {MachineDescription.CpuModel}, ", output.ToString());
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

        // The int8 peak follows the kernel path (512- or 256-bit vpmaddubsw; nothing on the scalar path) and is set
        // against the FP32 peak's multiply-adds on one core.
        JsonElement int8Peak = root.GetProperty("int8_peak");
        string kernelPath = root.GetProperty("machine").GetProperty("kernel_path").GetString()!;
        int int8Bits = int8Peak.GetProperty("vector_bits").GetInt32();
        Assert.Equal(kernelPath == "Avx512" ? 512 : kernelPath == "Avx2" ? 256 : 0, int8Bits);
        if (int8Bits > 0)
        {
            double single = int8Peak.GetProperty("single_core_gmacs").GetDouble();
            Assert.True(single > 0 && int8Peak.GetProperty("all_cores_gmacs").GetDouble() > 0, int8Peak.ToString());
            if (peakMeasured)
                Assert.Equal(single / (peak.GetProperty("single_core_gflops").GetDouble() / 2), int8Peak.GetProperty("ratio_to_fp32").GetDouble(), 9);
        }

        var rows = root.GetProperty("results").EnumerateArray().ToList();
        var results = rows.ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(ResultIds.Concat(OtherPathIds(CpuKernels.Path)).Order(), results.Keys.Order());
        foreach (JsonElement r in results.Values)
        {
            AssertFinitePositive(r, "seconds");
            AssertFinitePositive(r, "gflops");
            Assert.True(r.GetProperty("threads").GetInt32() >= 1, r.ToString());
            string kind = r.GetProperty("kind").GetString()!;
            if (peakMeasured && kind != "int8" && kind != "path") AssertFinitePositive(r, "percent_of_peak");
            else Assert.False(r.TryGetProperty("percent_of_peak", out _), r.ToString());
        }

        // The GEMMs again on each other vector path, checked like the others, with their speed relative to the
        // bench's own path (the measurement behind the default path).
        foreach (JsonElement r in rows.Where(r => r.GetProperty("kind").GetString() == "path"))
        {
            Assert.True(r.GetProperty("valid").GetBoolean(), $"GEMM result differs from the reference: {r}");
            AssertFinitePositive(r, "speedup");
            Assert.Contains(" on Avx", r.GetProperty("what").GetString());
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

        // Sparse rows: each pruned subject reaches its sparsity in the pruned layers, stores only what is left (the
        // FLOPs count stored weights) and carries its dense twin's time over its own; the twin's speedup is 1.
        foreach (var (id, model) in SparseSubjects)
        {
            int[] sizes = model.Split('-').Select(int.Parse).ToArray();
            double weights = sizes.Zip(sizes.Skip(1), (a, b) => (double)a * b).Sum();
            double pruned = sizes.Length == 2 ? weights : weights - (double)sizes[^2] * sizes[^1];
            foreach (int batch in new[] { 1, 256 })
            {
                JsonElement dense = results[$"{id}_dense_b{batch}"];
                Assert.Equal(1.0, dense.GetProperty("speedup").GetDouble());
                Assert.Equal(0.0, dense.GetProperty("sparsity").GetDouble());
                Assert.Equal(2 * batch * weights, dense.GetProperty("flops").GetDouble());
                double denseSeconds = dense.GetProperty("seconds").GetDouble();
                foreach (int percent in new[] { 50, 80, 90, 95 })
                {
                    JsonElement r = results[$"{id}_sparse{percent}_b{batch}"];
                    Assert.Equal("sparse", r.GetProperty("kind").GetString());
                    Assert.Equal(model, r.GetProperty("model").GetString());
                    Assert.Equal(batch, r.GetProperty("batch").GetInt32());
                    double sparsity = r.GetProperty("sparsity").GetDouble();
                    Assert.InRange(sparsity, percent / 100.0 - 0.01, percent / 100.0 + 0.01);
                    Assert.InRange(r.GetProperty("flops").GetDouble(), 2 * batch * (weights - 1.01 * sparsity * pruned),
                        2 * batch * (weights - 0.99 * sparsity * pruned));
                    Assert.Equal(denseSeconds / r.GetProperty("seconds").GetDouble(), r.GetProperty("speedup").GetDouble(), 9);
                    AssertFinitePositive(r, "samples_per_second");
                }
            }
        }

        // int8 rows: the fp32 twin's time over the int8 time, and no share of the FP32 peak for integer products.
        foreach (var (id, model) in SparseSubjects)
            foreach (int batch in new[] { 1, 256 })
            {
                JsonElement fp32 = results[$"{id}_fp32_b{batch}"], int8 = results[$"{id}_int8_b{batch}"];
                Assert.Equal("int8", int8.GetProperty("kind").GetString());
                Assert.Equal(model, int8.GetProperty("model").GetString());
                Assert.Equal(fp32.GetProperty("flops").GetDouble(), int8.GetProperty("flops").GetDouble());
                Assert.Equal(fp32.GetProperty("seconds").GetDouble() / int8.GetProperty("seconds").GetDouble(), int8.GetProperty("speedup").GetDouble(), 9);
                Assert.False(int8.TryGetProperty("percent_of_peak", out _), int8.ToString());
            }

        // One crossover per pruned layer shape and batch, a measured sparsity or 1 (never).
        var crossovers = root.GetProperty("crossovers").EnumerateArray().ToList();
        Assert.Equal(
            new[] { "784x1200 b1", "784x1200 b256", "1200x1200 b1", "1200x1200 b256", "784x128 b1", "784x128 b256" },
            crossovers.Select(c => $"{c.GetProperty("in_features").GetInt32()}x{c.GetProperty("out_features").GetInt32()} b{c.GetProperty("batch").GetInt32()}"));
        Assert.All(crossovers, c => Assert.InRange(c.GetProperty("crossover").GetDouble(), 0.1, 1.0));
        Assert.Contains("crossover", output.ToString());
    }

    [Fact]
    public void Bench_of_a_model_file_times_it_against_its_dense_twin_at_batch_1_and_256()
    {
        Mlp dense = new(MlpSpec.Parse("64-40-10"), new Rng(3));
        MagnitudePruner.Prune(dense, 0.9);
        string model = Path.Combine(_dir, "pruned.tkd"), json = Path.Combine(_dir, "model.json");
        ModelFile.Save(model, SparseServing.Convert(dense, ServingLayout.Sparse));
        var output = new StringWriter();

        Assert.Equal(0, BenchCommand.Run([model, "--quick", "--json", json], output));

        Assert.Contains("64→40 sparse 90.0% zeros", output.ToString());
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["model_dense_b1", "model_b1", "model_dense_b256", "model_b256"], rows.Select(r => r.GetProperty("id").GetString()));
        Assert.Empty(doc.RootElement.GetProperty("crossovers").EnumerateArray());
        foreach (JsonElement r in rows)
        {
            Assert.Equal("64-40-10", r.GetProperty("model").GetString());
            AssertFinitePositive(r, "speedup");
            AssertFinitePositive(r, "samples_per_second");
        }
        Assert.Equal(0.9, rows[1].GetProperty("sparsity").GetDouble(), 2);
        Assert.Equal("model", rows[1].GetProperty("kind").GetString());
        Assert.Equal(2.0 * (64 * 40 + 40 * 10), rows[0].GetProperty("flops").GetDouble());
    }

    [Fact]
    public void Bench_of_a_fused_static_int8_model_times_the_chain_against_its_dense_twin()
    {
        Mlp dense = new(MlpSpec.Parse("64-40-20-10"), new Rng(3));
        Tensor calibration = Tensor.Zeros(16, 64);
        new Rng(4).FillUniform(calibration.Span, 0f, 1f);
        string model = Path.Combine(_dir, "chain.tkd");
        ModelFile.Save(model, PostTrainingQuantizer.Quantize(dense, new QuantizationOptions(ActivationMode.Static), calibration));
        var output = new StringWriter();

        Assert.Equal(0, BenchCommand.Run([model, "--quick"], output));

        Assert.Contains("64→10 int8 chain of 3 (static, u8 between layers)", output.ToString());
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
    [InlineData(new[] { "a.tkd", "extra" }, "'extra'")]
    [InlineData(new[] { " " }, "MODEL")]
    [InlineData(new[] { "--openblas-library", "libopenblas.so.0" }, "needs --openblas")]
    [InlineData(new[] { "--openblas", "--openblas-library", "/no/such/libopenblas.so" }, "/no/such/libopenblas.so")]
    [InlineData(new[] { "a.tkd", "--openblas" }, "MODEL")]
    public void Bench_rejects_bad_arguments_with_a_message_naming_them(string[] args, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => BenchCommand.Run(args, TextWriter.Null)).Message);

    [Fact]
    public void Bench_of_a_missing_model_file_names_it() =>
        Assert.Contains("missing.tkd", Assert.Throws<FileNotFoundException>(() =>
            BenchCommand.Run([Path.Combine(_dir, "missing.tkd"), "--quick"], TextWriter.Null)).Message);

    [Fact]
    public void A_library_that_is_not_openblas_is_refused_by_name()
    {
        const string libc = "libc.so.6"; // Linux, where the tests run
        string message = Assert.Throws<UsageException>(() => BenchCommand.Run(["--openblas", "--openblas-library", libc, "--quick"], TextWriter.Null)).Message;
        Assert.Contains(libc, message);
        Assert.Contains("not OpenBLAS", message);
    }

    // With OpenBLAS on the machine (scripts/install-pytorch.sh installs it), every GEMM row is timed against it in the
    // same process after both results were checked equal; without it, the option says how to install it.
    [Fact]
    public void Openblas_comparison_times_every_gemm_row_or_says_how_to_install_openblas()
    {
        string path = Path.Combine(_dir, "openblas.json");
        var output = new StringWriter();
        int code;
        try
        {
            code = BenchCommand.Run(["--openblas", "--quick", "--json", path], output);
        }
        catch (UsageException e)
        {
            Assert.Contains("apt-get install libopenblas0-pthread", e.Message);
            return;
        }
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement blas = json.RootElement.GetProperty("open_blas");
        Assert.False(string.IsNullOrEmpty(blas.GetProperty("core").GetString()));
        var gemms = blas.GetProperty("gemms").EnumerateArray().ToList();
        Assert.Equal(["gemm_1024_1t", "gemm_1024", "fc1_forward", "fc1_dx", "fc1_dw", "fc2_forward", "fc2_dx", "fc2_dw", "fc3_forward"],
            gemms.Select(g => g.GetProperty("id").GetString()!));
        foreach (JsonElement g in gemms)
        {
            AssertFinitePositive(g, "ratio");
            AssertFinitePositive(g, "tiny_kd_gflops");
            AssertFinitePositive(g, "open_blas_gflops");
        }
        Assert.Contains("SGEMM against OpenBLAS in this process", output.ToString());
    }

    [Fact]
    public void Help_lists_every_option_of_bench()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchCommand.Run(["--help"], output));
        foreach (string option in new[] { "--quick", "--json", "--threads", "--kernels", "--openblas", "--openblas-library" })
            Assert.Contains(option, output.ToString());
    }
}
