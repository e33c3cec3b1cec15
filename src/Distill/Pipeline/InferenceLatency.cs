using System.Diagnostics;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// Serving latency of a model: one sample at a time (batch 1, evaluation mode, no gradients, the graph's buffers
/// reused), the median over many calls after a warm-up — what a real-time caller waits per request.
/// </summary>
public static class InferenceLatency
{
    /// <summary>The median microseconds of one forward pass on a single row of <paramref name="features"/>.</summary>
    public static double MicrosecondsPerSample(Module model, Tensor features, int calls = 300)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            var graph = new Graph(features.Backend);
            int rows = features.Shape[0];
            var times = new double[calls];
            var predicted = new int[1];
            using var _ = GradMode.NoGrad();
            for (int i = -calls / 5; i < calls; i++)
            {
                Tensor row = features.Slice(Math.Abs(i) % rows, 1);
                long start = Stopwatch.GetTimestamp();
                graph.Reset();
                Variable logits = model.Forward(graph.Input(row));
                logits.Data.Backend.ArgMax(logits.Data, predicted);
                if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            Array.Sort(times);
            return times[calls / 2];
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
