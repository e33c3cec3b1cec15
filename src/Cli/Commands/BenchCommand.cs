using System.Runtime.InteropServices;
using TinyKd.Cli.Bench;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd bench</c>: a quick look at how fast this machine runs TinyKd. It measures the FP32 FMA peak in-process,
/// then times GEMM 1024³ and the MLP's layer products, full training and distillation steps, and inference, and
/// prints each as time, GFLOP/s and share of the peak (median of several repetitions after a warm-up). It takes
/// seconds; bench/ (BenchmarkDotNet) is the place for careful numbers.
/// </summary>
public static class BenchCommand
{
    private const string Teacher = "784-1200-1200-10";
    private const string Student = "784-128-10";
    private const int TrainBatch = 128;

    private static readonly OptionSpec[] Options =
    [
        new("threads", "N", "threads of the multi-threaded rows and of the all-core peak", "all cores"),
        new("kernels", "PATH", "instruction path of the kernels: avx512, avx2 or scalar", "TINYKD_KERNELS, else the widest supported"),
        new("quick", null, "a much shorter, noisier run (for tests)"),
        new("json", "FILE", "also write the results as JSON to FILE"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    /// <exception cref="UsageException">An unknown option, a missing or bad value, or a stray argument.</exception>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd bench [options]",
                "Measures the FP32 FMA peak, then times GEMMs, training and distillation steps and inference of the\n" +
                "784-1200-1200-10 teacher and 784-128-10 student (median of repetitions after a warm-up).", Options));
            return 0;
        }
        if (line.Positional.Count > 0) throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        int threads = line.Flag("threads") ? line.Int("threads", 1, 1024) : Environment.ProcessorCount;
        KernelPath path = ParsePath(line);
        BenchBudget budget = line.Flag("quick") ? BenchBudget.Quick : BenchBudget.Standard;
        string? jsonPath = line.Get("json") is { } json ? OutputPath.File("json", json) : null;

        BenchReport report = Measure(path, threads, budget);
        BenchTable.Write(output, report);
        if (jsonPath is not null)
        {
            report.Save(jsonPath);
            output.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    private static KernelPath ParsePath(CommandLine line)
    {
        if (!line.Flag("kernels")) return CpuKernels.Path;
        KernelPath path = line.Choice("kernels", "avx512", "avx2", "scalar") switch
        {
            "avx512" => KernelPath.Avx512,
            "avx2" => KernelPath.Avx2,
            _ => KernelPath.Scalar,
        };
        return CpuKernels.IsSupported(path) ? path
            : throw new UsageException($"option '--kernels': {path} is not supported on this processor; the widest is {CpuKernels.Best}");
    }

    private static BenchReport Measure(KernelPath path, int threads, BenchBudget budget)
    {
        var machine = new BenchMachine(Environment.ProcessorCount, path.ToString(), threads,
            RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription);
        PeakFlops peak = PeakFlops.Measure(budget.PeakSeconds, budget.PeakRepetitions, threads);
        string t = threads == 1 ? "1 thread" : $"{threads} threads";
        int savedThreads = CpuKernels.Threads;
        KernelPath savedPath = CpuKernels.Path;
        var results = new List<BenchResult>();
        try
        {
            CpuKernels.Path = path;
            results.Add(new GemmCase("gemm_1024_1t", "GEMM 1024×1024×1024, 1 thread", 1024, 1024, 1024, Transpose.No, Transpose.No).Run(1, budget, peak));
            results.Add(new GemmCase("gemm_1024", $"GEMM 1024×1024×1024, {t}", 1024, 1024, 1024, Transpose.No, Transpose.No).Run(threads, budget, peak));
            foreach (GemmCase layer in LayerProducts()) results.Add(layer.Run(threads, budget, peak));
            foreach (ModelCase model in ModelCases()) results.Add(model.Run(threads, budget, peak));
        }
        finally
        {
            CpuKernels.Threads = savedThreads;
            CpuKernels.Path = savedPath;
        }
        return new BenchReport(machine, peak, results);
    }

    /// <summary>The products of the teacher's layers at batch 128 in their three forms, and the 10-way head's forward.</summary>
    private static IEnumerable<GemmCase> LayerProducts()
    {
        foreach (var (id, inputs, outputs) in new[] { ("fc1", 784, 1200), ("fc2", 1200, 1200) })
        {
            string layer = $"{TrainBatch}×{inputs}×{outputs}";
            yield return new GemmCase($"{id}_forward", $"{layer} forward x·Wᵀ", TrainBatch, outputs, inputs, Transpose.No, Transpose.Yes);
            yield return new GemmCase($"{id}_dx", $"{layer} dX = dY·W", TrainBatch, inputs, outputs, Transpose.No, Transpose.No);
            yield return new GemmCase($"{id}_dw", $"{layer} dW = dYᵀ·X", outputs, inputs, TrainBatch, Transpose.Yes, Transpose.No);
        }
        yield return new GemmCase("fc3_forward", $"{TrainBatch}×1200×10 forward x·Wᵀ", TrainBatch, 10, 1200, Transpose.No, Transpose.Yes);
    }

    private static IEnumerable<ModelCase> ModelCases() =>
    [
        new("train_teacher", $"train step {Teacher} b{TrainBatch}", ModelWorkload.Train, Teacher, TrainBatch),
        new("train_student", $"train step {Student} b{TrainBatch}", ModelWorkload.Train, Student, TrainBatch),
        new("distill_student", $"KD step {Student} b{TrainBatch}", ModelWorkload.Distill, Student, TrainBatch),
        new("infer_teacher_b1", $"inference {Teacher} b1", ModelWorkload.Infer, Teacher, 1),
        new("infer_teacher_b256", $"inference {Teacher} b256", ModelWorkload.Infer, Teacher, 256),
        new("infer_student_b1", $"inference {Student} b1", ModelWorkload.Infer, Student, 1),
        new("infer_student_b256", $"inference {Student} b256", ModelWorkload.Infer, Student, 256),
    ];
}
