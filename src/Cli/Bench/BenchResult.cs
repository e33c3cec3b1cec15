using System.Text.Json;
using System.Text.Json.Serialization;

namespace TinyKd.Cli.Bench;

/// <summary>
/// One timed workload. The shape fields (<see cref="M"/>…, <see cref="Model"/>, <see cref="Batch"/>) describe it
/// fully, so another framework can rerun the same thing from the JSON alone (scripts/compare_pytorch.py does).
/// </summary>
internal sealed record BenchResult
{
    /// <summary>Stable identifier, e.g. <c>gemm_1024_1t</c> or <c>train_teacher</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Human-readable label for the table.</summary>
    public required string What { get; init; }

    /// <summary><c>gemm</c>, <c>train</c>, <c>distill</c>, <c>infer</c> (a dense MLP's forward), <c>sparse</c> (a pruned MLP served
    /// sparse), <c>int8</c> (an MLP quantized to int8, dynamic activations) or <c>model</c> (a model file as loaded).</summary>
    public required string Kind { get; init; }

    /// <summary>Threads the kernels used (0 on a device).</summary>
    public required int Threads { get; init; }

    /// <summary>The device that ran it (<c>cuda</c>, <c>opencl</c>, <c>ilgpu-cpu</c>), or null for the CPU backend.</summary>
    public string? Device { get; init; }

    /// <summary>Median seconds per call.</summary>
    public required double Seconds { get; init; }

    /// <summary>Floating-point operations per call (GEMM work only: 2·M·N·K per product).</summary>
    public required double Flops { get; init; }

    /// <summary>Achieved GFLOP/s.</summary>
    public double Gflops => Flops / Seconds / 1e9;

    /// <summary>Achieved share of the FMA peak for <see cref="Threads"/> threads, in percent (null when unknown).</summary>
    public double? PercentOfPeak { get; init; }

    /// <summary>GEMM rows of op(A) and of C.</summary>
    public int? M { get; init; }

    /// <summary>GEMM columns of op(B) and of C.</summary>
    public int? N { get; init; }

    /// <summary>GEMM inner dimension.</summary>
    public int? K { get; init; }

    /// <summary>A is stored [K, M] and used transposed.</summary>
    public bool? TransposeA { get; init; }

    /// <summary>B is stored [N, K] and used transposed.</summary>
    public bool? TransposeB { get; init; }

    /// <summary>False when a sampled check of the GEMM result against a double-precision dot product failed.</summary>
    public bool? Valid { get; init; }

    /// <summary>MLP layer widths, e.g. <c>784-128-10</c>.</summary>
    public string? Model { get; init; }

    /// <summary>Rows per call.</summary>
    public int? Batch { get; init; }

    /// <summary>Distillation temperature T.</summary>
    public float? Temperature { get; init; }

    /// <summary>Distillation weight α of the soft-target term (1 − α goes to the hard labels).</summary>
    public float? Alpha { get; init; }

    /// <summary>Inference throughput.</summary>
    public double? SamplesPerSecond { get; init; }

    /// <summary>Training-step time in milliseconds.</summary>
    public double? MsPerStep { get; init; }

    /// <summary>Kernels one call launched on the device (train and KD steps with <c>--device</c>).</summary>
    public long? KernelLaunches { get; init; }

    /// <summary>Host↔device copies one call made (train and KD steps with <c>--device</c>; the loss is read once a step).</summary>
    public long? HostCopies { get; init; }

    /// <summary>Fraction of zero weights in the pruned layers (every layer but a model's output layer); 0 for a dense twin.</summary>
    public double? Sparsity { get; init; }

    /// <summary>The dense fp32 twin's time ÷ this row's time, both measured in the same run (1 for the twin itself).</summary>
    public double? Speedup { get; init; }
}

/// <summary>Everything one <c>tinykd bench</c> run measured, as written by <c>--json</c>.</summary>
/// <param name="Machine">Where it ran.</param>
/// <param name="Peak">The measured FMA peak the percentages refer to.</param>
/// <param name="Int8Peak">The measured int8 multiply-add peak of the int8 kernels' instructions, and its ratio to the FMA peak.</param>
/// <param name="Results">The timed workloads in table order.</param>
/// <param name="Crossovers">The sparse/dense crossover sparsity of each pruned layer shape at batch 1 and 256 (empty
/// when a single model was timed).</param>
/// <param name="OpenBlas">The GEMM rows against OpenBLAS in the same process (<c>--openblas</c>), else null.</param>
internal sealed record BenchReport(BenchMachine Machine, PeakFlops Peak, Int8Peak Int8Peak, IReadOnlyList<BenchResult> Results,
    IReadOnlyList<BenchCrossover> Crossovers, OpenBlasReport? OpenBlas)
{
    /// <summary>The JSON form of the bench reports: snake_case names, nulls left out, indented.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Writes the report as JSON to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");
}

/// <summary>The machine and runtime a bench ran on.</summary>
/// <param name="CpuModel">The CPU model (<see cref="TinyKd.Distill.Reports.MachineDescription.CpuModel"/>).</param>
/// <param name="Microarchitecture">Vendor, family and model from CPUID, and the core they name where known
/// (<see cref="TinyKd.Tensors.Cpu.CpuFamily.Description"/>), e.g. "AMD Zen 4 (family 25, model 17)".</param>
/// <param name="ProcessorCount">Logical processors the runtime sees.</param>
/// <param name="KernelPath">The CPU kernels' instruction path (<c>Avx512</c>, <c>Avx2</c> or <c>Scalar</c>).</param>
/// <param name="Gemm">The GEMM's register tile and cache blocking on that path and the caches they come from
/// (<see cref="TinyKd.Tensors.Cpu.CpuKernels.DescribeGemm"/>).</param>
/// <param name="Threads">Threads of the multi-threaded rows.</param>
/// <param name="Runtime">The .NET runtime's description.</param>
/// <param name="Os">The operating system's description.</param>
internal sealed record BenchMachine(string CpuModel, string Microarchitecture, int ProcessorCount, string KernelPath, string Gemm, int Threads,
    string Runtime, string Os);

/// <summary>The GEMM rows timed against OpenBLAS in the same process.</summary>
/// <param name="Library">The library loaded.</param>
/// <param name="Core">The kernel set OpenBLAS ran (its own CPU detection, or OPENBLAS_CORETYPE).</param>
/// <param name="Gemms">One interleaved comparison per GEMM row.</param>
internal sealed record OpenBlasReport(string Library, string Core, IReadOnlyList<OpenBlasComparison> Gemms);
