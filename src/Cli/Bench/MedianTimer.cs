using System.Diagnostics;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Cli.Bench;

/// <summary>How long a bench run spends on each measurement.</summary>
/// <param name="WarmupSeconds">Calls before timing starts, at least this long (lets tiered JIT and the pools settle).</param>
/// <param name="WarmupCalls">
/// At least this many warm-up calls: .NET recompiles a method at full optimisation after 30 calls (tiered JIT), and
/// a warm-up shorter than that times the quick first-tier code (a 784-1200-1200-10 step: 18 ms instead of 13).
/// </param>
/// <param name="Repetitions">Timed repetitions; the median is reported.</param>
/// <param name="RepetitionSeconds">Each repetition repeats the call until it lasts about this long, so microsecond calls are not lost in timer noise.</param>
/// <param name="PeakSeconds">Length of one FMA-peak repetition.</param>
/// <param name="PeakRepetitions">FMA-peak repetitions; the best is kept.</param>
internal sealed record BenchBudget(double WarmupSeconds, int WarmupCalls, int Repetitions, double RepetitionSeconds, double PeakSeconds, int PeakRepetitions)
{
    /// <summary>The default run: a few seconds in all.</summary>
    public static BenchBudget Standard { get; } = new(0.5, 60, 7, 0.02, 0.2, 3);

    /// <summary>
    /// A device's run (<c>tinykd bench --device</c>): no JIT tiers to wait for, and calls up to a second long (SGEMM
    /// 8192³ on the readable kernel), so a short warm-up and a few repetitions.
    /// </summary>
    public static BenchBudget Device { get; } = new(0.2, 3, 5, 0.05, 0, 0);

    /// <summary>The --quick run used by tests: well under a second of timing.</summary>
    public static BenchBudget Quick { get; } = new(0.005, 2, 3, 0.001, 0.01, 1);
}

/// <summary>Times a call: warm-up, then the median over repetitions of the mean time per call.</summary>
internal static class MedianTimer
{
    /// <summary>
    /// Median seconds per call of <paramref name="body"/>. On a device, whose calls only queue work, give
    /// <paramref name="synchronize"/>: it waits for the queue after each warm-up call and at the end of each timed
    /// repetition, inside the clock.
    /// </summary>
    public static double Seconds(Action body, BenchBudget budget, Action? synchronize = null)
    {
        double warmPerCall = WarmUp(body, budget, synchronize);
        int inner = (int)Math.Clamp(Math.Ceiling(budget.RepetitionSeconds / warmPerCall), 1, 1_000_000);
        var perCall = new double[budget.Repetitions];
        for (int r = 0; r < perCall.Length; r++)
        {
            long begin = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) body();
            synchronize?.Invoke();
            perCall[r] = Stopwatch.GetElapsedTime(begin).TotalSeconds / inner;
        }
        Array.Sort(perCall);
        int mid = perCall.Length / 2;
        return perCall.Length % 2 == 1 ? perCall[mid] : (perCall[mid - 1] + perCall[mid]) / 2;
    }

    /// <summary>
    /// Calls <paramref name="body"/> (each call followed by <paramref name="synchronize"/> when given) for the budget's
    /// warm-up; returns the mean seconds per warm-up call.
    /// </summary>
    public static double WarmUp(Action body, BenchBudget budget, Action? synchronize = null)
    {
        int calls = 0;
        long start = Stopwatch.GetTimestamp();
        double elapsed;
        do
        {
            body();
            synchronize?.Invoke();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        } while (calls < budget.WarmupCalls || elapsed < budget.WarmupSeconds);
        return elapsed / calls;
    }

    /// <summary>
    /// Median seconds of one forward pass of <paramref name="model"/> over <paramref name="inputs"/> in evaluation
    /// mode without gradient recording, the graph's buffers reused (how a served model runs); on a device, with
    /// <paramref name="synchronize"/> as in <see cref="Seconds"/>.
    /// </summary>
    public static double Inference(Layer model, Tensor inputs, BenchBudget budget, Action? synchronize = null)
    {
        using var graph = new Graph(inputs.Backend, evaluationMode: true);
        return Seconds(() =>
        {
            using var _ = GradMode.NoGrad();
            graph.Reset();
            model.Forward(graph.Input(inputs));
        }, budget, synchronize);
    }
}
