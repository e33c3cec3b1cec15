using System.Globalization;
using System.Runtime.InteropServices;
using TinyKd.Autograd.Nn;
using TinyKd.Cli.Bench;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Reports;
using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd bench</c>: a quick look at how fast this machine runs TinyKd. It measures the FP32 FMA peak in-process,
/// then times GEMM 1024³ and the MLP's layer products, full training and distillation steps, inference, and the
/// teacher's and student's layers and whole models pruned to 50–95 % and served sparse against their dense twins
/// (with the sparse/dense crossover of each layer shape) and quantized to int8 against their fp32 twins, and prints each as time, GFLOP/s, share of the peak and
/// speedup (median of several repetitions after a warm-up). <c>tinykd bench MODEL</c> times a model file as loaded
/// (pruned, int8…) against its dense fp32 twin instead. It takes seconds; bench/ (BenchmarkDotNet) is the place for
/// careful numbers.
/// </summary>
public static class BenchCommand
{
    private const string Teacher = BenchCases.Teacher;
    private const string Student = BenchCases.Student;
    private const int TrainBatch = BenchCases.TrainBatch;

    private static readonly OptionSpec[] Options =
    [
        new("threads", "N", "threads of the multi-threaded rows and of the all-core peak", "all cores"),
        new("kernels", "PATH", "instruction path of the kernels: avx512, avx2 or scalar", "TINYKD_KERNELS, else the widest supported"),
        new("quick", null, "a much shorter, noisier run (for tests)"),
        new("json", "FILE", "also write the results as JSON to FILE"),
        new("openblas", null, "also time the GEMM rows against OpenBLAS in this process, interleaved (libopenblas, loaded at run time)"),
        new("openblas-library", "FILE", "the OpenBLAS library for --openblas", "libopenblas.so.0 and the usual names"),
        DeviceOption.Option,
        new("sizes", "N,N,...", "with --device: the square SGEMM sizes (--quick leaves out 8192)", "1024,2048,4096,8192"),
        new("batches", "B,B,...", "with --device: the batches of the teacher's train step and the student's KD step", "128,1024"),
        new("teacher", "SIZES", "with --device: the teacher's widths (its train step and layer GEMMs)", Teacher),
        new("student", "SIZES", "with --device: the student's widths (its KD step)", Student),
    ];

    // Options of the CPU rows, and of the device rows; each is refused in the other kind of run.
    private static readonly string[] CpuOnlyOptions = ["threads", "kernels", "openblas", "openblas-library"];
    private static readonly string[] DeviceOnlyOptions = ["sizes", "batches", "teacher", "student"];

    /// <summary>Runs the command; returns the process exit code.</summary>
    /// <exception cref="UsageException">An unknown option, a missing or bad value, or a stray argument.</exception>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd bench [MODEL] [options]",
                "Measures the FP32 FMA peak, then times GEMMs, training and distillation steps and inference of the\n" +
                "784-1200-1200-10 teacher and 784-128-10 student, and their layers and models pruned to 50, 80, 90 and\n" +
                "95 % (8×1 blocks) served sparse against the dense twin, with the sparse/dense crossover of each layer,\n" +
                "and quantized to int8 against fp32 (median of repetitions after a warm-up). The GEMM rows are repeated\n" +
                "on the other vector path, and with --openblas timed against OpenBLAS in this process, interleaved\n" +
                "(OPENBLAS_CORETYPE=Zen with --kernels avx2 compares the AVX2 kernels of both). With MODEL (.tkd), times\n" +
                "that model as loaded against its dense fp32 twin at batch 1 and 256 instead. With --device, times the\n" +
                "device's SGEMM kernels (tiled and register-blocked) at the square sizes and the teacher's layer products,\n" +
                "and the teacher's train step and the student's KD step at each batch, on the device (the CPU-only rows are\n" +
                "skipped).", Options));
            return 0;
        }
        using var device = DeviceOption.Open(line);
        if (device is not null) return RunOnDevice(line, device, output);
        if (DeviceOnlyOptions.FirstOrDefault(line.Flag) is { } deviceOnly)
            throw new UsageException($"option '--{deviceOnly}' applies to --device runs");
        if (line.Positional.Count > 1) throw new UsageException($"unexpected argument '{line.Positional[1]}'; bench takes at most one model file");
        string? modelPath = line.Positional.Count == 1 ? line.Positional[0] : null;
        if (modelPath is not null && string.IsNullOrWhiteSpace(modelPath)) throw new UsageException("the MODEL argument is empty");
        int threads = line.Flag("threads") ? line.Int("threads", 1, 1024) : Environment.ProcessorCount;
        KernelPath path = ParsePath(line);
        BenchBudget budget = line.Flag("quick") ? BenchBudget.Quick : BenchBudget.Standard;
        string? jsonPath = line.Get("json") is { } json ? OutputPath.File("json", json) : null;
        if (line.Flag("openblas-library") && !line.Flag("openblas")) throw new UsageException("option '--openblas-library' needs --openblas");
        if (line.Flag("openblas") && modelPath is not null) throw new UsageException("option '--openblas' times the GEMM rows, which a MODEL run does not have");
        OpenBlas? openBlas = line.Flag("openblas") ? OpenBlas.Load(line.Flag("openblas-library") ? line.Get("openblas-library") : null) : null;

        SavedModel? saved = modelPath is null ? null : SafeTensorsImport.LoadModel(modelPath);
        if (saved is not null) output.WriteLine(Describe(modelPath!, saved.Model));
        BenchReport report = Measure(path, threads, budget, saved?.Model, openBlas);
        BenchTable.Write(output, report);
        if (jsonPath is not null)
        {
            report.Save(jsonPath);
            output.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    private static int RunOnDevice(CommandLine line, GpuCompute device, TextWriter output)
    {
        if (line.Positional.Count > 0) throw new UsageException($"--device times the device's kernels and steps; a MODEL ('{line.Positional[0]}') is timed on the CPU, without --device");
        if (CpuOnlyOptions.FirstOrDefault(line.Flag) is { } cpuOnly)
            throw new UsageException($"option '--{cpuOnly}' applies to the CPU rows; --device {device.Name} times the device");
        bool quick = line.Flag("quick");
        IReadOnlyList<int> squares = Positive(line, "sizes");
        if (quick && !line.Flag("sizes")) squares = [.. squares.Where(n => n < 8192)];
        var plan = new DeviceBenchPlan(squares, Positive(line, "batches"), Widths(line, "teacher"), Widths(line, "student"));
        string? jsonPath = line.Get("json") is { } json ? OutputPath.File("json", json) : null;
        DeviceBenchReport report = DeviceBench.Run(device, plan, quick ? BenchBudget.Quick : BenchBudget.Device, output);
        if (jsonPath is not null)
        {
            report.Save(jsonPath);
            output.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    // A list of positive integers separated by commas.
    private static int[] Positive(CommandLine line, string name)
    {
        string raw = line.Get(name)!;
        var values = new List<int>();
        foreach (string part in raw.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1)
                throw new UsageException($"option '--{name}' must be positive integers separated by commas; got '{raw}'");
            values.Add(value);
        }
        return [.. values];
    }

    // MLP widths, input to output (at least an input and an output width).
    private static string Widths(CommandLine line, string name)
    {
        try
        {
            return MlpSpec.Parse(line.Get(name)!).ToString();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"option '--{name}': {Messages.Plain(e)}");
        }
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

    private static BenchReport Measure(KernelPath path, int threads, BenchBudget budget, Mlp? model, OpenBlas? openBlas)
    {
        var machine = new BenchMachine(MachineDescription.CpuModel, CpuFamily.Description, Environment.ProcessorCount,
            path.ToString(), CpuKernels.DescribeGemm(path), threads, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription);
        int peakBits = path == KernelPath.Avx2 ? 256 : PeakFlops.VectorBitsHere;
        PeakFlops peak = PeakFlops.Measure(budget.PeakSeconds, budget.PeakRepetitions, threads, peakBits);
        Int8Peak int8Peak = Int8Peak.Measure(path, budget.PeakSeconds, budget.PeakRepetitions, threads, peak);
        int savedThreads = CpuKernels.Threads;
        KernelPath savedPath = CpuKernels.Path;
        var results = new List<BenchResult>();
        IReadOnlyList<BenchCrossover> crossovers = [];
        var versusOpenBlas = new List<OpenBlasComparison>();
        try
        {
            CpuKernels.Path = path;
            if (model is not null)
            {
                results.AddRange(ModelRows(model, threads, budget, peak));
                return new BenchReport(machine, peak, int8Peak, results, crossovers, null);
            }
            foreach (var (gemm, gemmThreads) in GemmRows(threads)) results.Add(gemm.Run(gemmThreads, budget, peak));
            results.AddRange(OtherPathRows(path, threads, budget, peak, results));
            if (openBlas is not null)
                foreach (var (gemm, gemmThreads) in GemmRows(threads))
                    versusOpenBlas.Add(OpenBlasComparison.Run(openBlas, gemm, gemmThreads, budget));
            foreach (ModelCase workload in ModelCases()) results.Add(workload.Run(threads, budget, peak));
            results.AddRange(SparseBench.Run(SparseSubjects, threads, budget, peak));
            results.AddRange(Int8Bench.Run(SparseSubjects, threads, budget, peak));
            crossovers = SparseBench.Crossovers(SparseSubjects, threads);
        }
        finally
        {
            CpuKernels.Threads = savedThreads;
            CpuKernels.Path = savedPath;
        }
        return new BenchReport(machine, peak, int8Peak, results, crossovers, openBlas is null ? null : new OpenBlasReport(openBlas.Library, openBlas.Core, versusOpenBlas));
    }

    /// <summary>
    /// The GEMM rows again on every other vector path this processor supports (AVX2 on an AVX-512 machine), each with
    /// the speedup of that path over the bench's own: the measurement behind the choice of the default path, which
    /// must win by speed, not merely by width (Zen 4 runs 512-bit FMAs at half rate). The path is restored after.
    /// </summary>
    private static IEnumerable<BenchResult> OtherPathRows(KernelPath path, int threads, BenchBudget budget, PeakFlops peak, List<BenchResult> rows)
    {
        var gemms = GemmRows(threads).Where(g => g.Gemm.Id != "gemm_1024").ToList();
        var others = new List<BenchResult>();
        foreach (KernelPath other in CpuKernels.Supported.Where(p => p != path && p != KernelPath.Scalar))
        {
            CpuKernels.Path = other;
            foreach (var (gemm, gemmThreads) in gemms)
            {
                BenchResult own = rows.First(r => r.Id == gemm.Id);
                BenchResult result = gemm.Run(gemmThreads, budget, peak);
                others.Add(result with
                {
                    Id = $"{gemm.Id}_{other.ToString().ToLowerInvariant()}",
                    What = $"{gemm.What} on {other}",
                    Kind = "path",
                    PercentOfPeak = null,
                    Speedup = own.Seconds / result.Seconds,
                });
            }
        }
        CpuKernels.Path = path;
        return others;
    }

    /// <summary>The layers and models of the sparse and int8 rows: the teacher's and the student's hidden layers, then both models.</summary>
    private static readonly SparseSubject[] SparseSubjects =
    [
        new("teacher_fc1", "784-1200"), new("teacher_fc2", "1200-1200"), new("student_fc1", "784-128"),
        new("teacher", Teacher), new("student", Student),
    ];

    /// <summary>A model file as loaded and its dense fp32 twin, at batch 1 and 256, the twin timed first.</summary>
    private static IEnumerable<BenchResult> ModelRows(Mlp model, int threads, BenchBudget budget, PeakFlops peak)
    {
        CpuKernels.Threads = threads;
        Mlp twin = SparseServing.DenseTwin(model);
        string widths = model.Spec.ToString();
        double sparsity = PruningStage.PrunedLayerSparsity(model);
        foreach (int batch in SparseBench.Batches)
        {
            var inputs = SparseBench.Inputs(batch, model.Spec.InputSize);
            double twinSeconds = MedianTimer.Inference(twin, inputs, budget);
            double seconds = MedianTimer.Inference(model, inputs, budget);
            yield return SparseBench.Row($"model_dense_b{batch}", $"dense fp32 twin b{batch}", "infer", widths, batch, twin, 0, twinSeconds, 1, threads, peak);
            yield return SparseBench.Row($"model_b{batch}", $"the model as loaded b{batch}", "model", widths, batch, model, sparsity, seconds,
                twinSeconds / seconds, threads, peak);
        }
    }

    private static string Describe(string path, Mlp model)
    {
        IEnumerable<string> layers = model.AffineLayers.Select(layer =>
        {
            var affine = (IAffineLayer)layer;
            string form = layer switch
            {
                SparseLinear s => string.Create(CultureInfo.InvariantCulture, $"sparse {s.Weight.Sparsity * 100:F1}% zeros"),
                SparseQuantizedLinear q => string.Create(CultureInfo.InvariantCulture, $"sparse int8 {q.Weight.Sparsity * 100:F1}% zeros"),
                QuantizedLinear q => q.Activation is null ? "int8 (dynamic activations)" : "int8 (static activations)",
                QuantizedChain c => $"int8 chain of {c.Depth} (static, u8 between layers)",
                _ => layer.GetType().Name,
            };
            return $"{affine.InFeatures}→{affine.OutFeatures} {form}";
        });
        return $"tinykd bench {path}: MLP {model.Spec}, {model.StoredParameterCount():N0} parameters stored; layers: {string.Join(", ", layers)}";
    }

    /// <summary>
    /// The GEMM rows and the threads each runs on: 1024³ on one thread and on <paramref name="threads"/>, then the
    /// teacher's layer products on <paramref name="threads"/>.
    /// </summary>
    private static IEnumerable<(GemmCase Gemm, int Threads)> GemmRows(int threads)
    {
        yield return (new GemmCase("gemm_1024_1t", "GEMM 1024×1024×1024, 1 thread", 1024, 1024, 1024, Transpose.No, Transpose.No), 1);
        string t = threads == 1 ? "1 thread" : $"{threads} threads";
        yield return (new GemmCase("gemm_1024", $"GEMM 1024×1024×1024, {t}", 1024, 1024, 1024, Transpose.No, Transpose.No), threads);
        foreach (GemmCase layer in GemmCase.LayerProducts(BenchCases.TeacherLayers, TrainBatch)) yield return (layer, threads);
    }

    private static IEnumerable<ModelCase> ModelCases() =>
    [
        new("train_teacher", $"train step {Teacher} b{TrainBatch}", ModelWorkload.Train, Teacher, TrainBatch),
        new("train_student", $"train step {Student} b{TrainBatch}", ModelWorkload.Train, Student, TrainBatch),
        new("distill_student", $"KD step {Student} b{TrainBatch}", ModelWorkload.Distill, Student, TrainBatch),
        .. from model in new[] { (Name: "teacher", Widths: Teacher), (Name: "student", Widths: Student) }
           from batch in BenchCases.InferenceBatches
           select new ModelCase($"infer_{model.Name}_b{batch}", $"inference {model.Widths} b{batch}", ModelWorkload.Infer, model.Widths, batch),
    ];
}
