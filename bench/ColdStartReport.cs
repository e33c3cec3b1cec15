using System.Diagnostics;
using System.Globalization;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// <c>--cold-start</c>: the first calls of a fresh process, the case of a short-lived tool or of a service's first
/// requests. For each call (the teacher's and the student's forward pass at batch 1 and 256, fp32, pruned to 90 % and
/// served sparse as <c>tinykd bench</c> serves it, and int8 with dynamic activations, and a cross-entropy step with
/// Adam at batch 128) this starts <see cref="Launches"/> processes of this program, each of which builds the
/// model, times its first <see cref="Calls"/> calls back to back with nothing run before them (the first includes the
/// JIT), then keeps calling for <see cref="WarmSeconds"/> s and times <see cref="WarmCalls"/> more: the warm figure.
/// Printed: the median over the processes of calls #1, #2, #10, #100 and #300, the warm median, and call #10 ÷ warm.
/// Under tiered compilation a kernel loop left to the runtime runs as unoptimised tier-0 code until the JIT
/// recompiles it, which a fresh process reached only after a few hundred calls; the kernels are compiled fully
/// optimised at their first call instead (docs/elementwise-ops.md), and this report shows whether one slipped back.
/// Outside BenchmarkDotNet, whose command-line job overrides a suite's own iteration and launch counts and whose host
/// reads every cold measurement as it comes, beside the worker threads on a 2-core machine.
/// </summary>
internal static class ColdStartReport
{
    /// <summary>The command-line switch that runs this report instead of the suites.</summary>
    public const string Flag = "--cold-start";

    /// <summary>The switch of the child processes: <c>--cold-start-child ARCHITECTURE CALL</c>.</summary>
    public const string ChildFlag = "--cold-start-child";

    private const int Launches = 5, Calls = 300, WarmCalls = 50;
    private const double WarmSeconds = 1.0;
    private static readonly int[] Marks = [1, 2, 10, 100, 300];
    private static readonly string[] Cases =
        ["forward b1", "forward b256", "sparse 90% forward b1", "sparse 90% forward b256", "int8 forward b1", "int8 forward b256", "train step b128"];

    public static void Run(TextWriter output)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine($"# first calls of a fresh process, median of {Launches} processes (ms); warm: median of {WarmCalls} calls after {WarmSeconds:F0} s more");
        output.WriteLine("model            call                        #1       #2      #10     #100     #300     warm  #10/warm");
        foreach (string architecture in (string[])[BenchCases.Teacher, BenchCases.Student])
            foreach (string call in Cases)
            {
                double[][] launches = Enumerable.Range(0, Launches).Select(_ => Child(architecture, call)).ToArray();
                double[] marks = Marks.Select(m => Median(launches.Select(l => l[m - 1]))).ToArray();
                double warm = Median(launches.Select(l => l[Calls]));
                output.WriteLine(string.Format(c, "{0,-16} {1,-23} {2}  {3,7:F3}  {4,7:F2}x",
                    architecture, call, string.Join(" ", marks.Select(v => v.ToString("F3", c).PadLeft(8))), warm, marks[2] / warm));
                output.Flush();
            }
    }

    /// <summary>The child's work: times the calls and prints them (ms, one line, the warm median last).</summary>
    public static void RunChild(string architecture, string call, TextWriter output)
    {
        Func<Variable> body = Build(architecture, call);
        var times = new double[Calls];
        for (int i = 0; i < Calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            body();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        long warmUntil = Stopwatch.GetTimestamp() + (long)(WarmSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil) body();
        var warm = new double[WarmCalls];
        for (int i = 0; i < WarmCalls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            body();
            warm[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        output.WriteLine(string.Join(" ", times.Append(Median(warm)).Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
    }

    // Builds the model and the data only: nothing here may call a kernel the calls use, or it would warm them (pruning
    // and quantizing the weights call none of the CPU kernels).
    private static Func<Variable> Build(string architecture, string call)
    {
        var spec = MlpSpec.Parse(architecture);
        bool train = call.StartsWith("train", StringComparison.Ordinal);
        int batch = int.Parse(call[(call.LastIndexOf('b') + 1)..], CultureInfo.InvariantCulture);
        var model = new Mlp(spec, new Rng(1));
        var graph = new Graph();
        (Tensor inputs, int[] labels, _) = BenchCases.StepData(spec, batch);
        if (call.StartsWith("sparse", StringComparison.Ordinal))
        {
            MagnitudePruner.Prune(model, 0.9, new PruningOptions(Scope: ThresholdScope.PerLayer));
            model = SparseServing.Convert(model, ServingLayout.Sparse);
        }
        else if (call.StartsWith("int8", StringComparison.Ordinal)) model = PostTrainingQuantizer.Quantize(model, new QuantizationOptions());
        if (!train)
        {
            model.Eval();
            return () =>
            {
                using var _ = GradMode.NoGrad();
                graph.Reset();
                return model.Forward(graph.Input(inputs));
            };
        }
        var optimizer = new Adam(model.Parameters(), 1e-4f);
        return () =>
        {
            graph.Reset();
            Variable loss = Losses.CrossEntropy(model.Forward(graph.Input(inputs)), labels);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            return loss;
        };
    }

    // Runs this program as a child (through the dotnet host when that is what runs it) and reads its line of times.
    private static double[] Child(string architecture, string call)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(ColdStartReport).Assembly.Location);
        foreach (string argument in (string[])[ChildFlag, architecture, call]) start.ArgumentList.Add(argument);
        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        string line = child.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"The cold-start child for {architecture} {call} exited with {child.ExitCode}.");
        double[] times = line.Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return times.Length == Calls + 1 ? times : throw new InvalidOperationException($"The cold-start child printed {times.Length} times, not {Calls + 1}.");
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
