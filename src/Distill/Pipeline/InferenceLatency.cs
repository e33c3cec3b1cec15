using System.Diagnostics;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// Serving latency of a model: one sample at a time (batch 1, evaluation mode on a graph of its own so the model is not switched, no gradients, the graph's buffers
/// reused), the median over many calls after a warm-up — what a real-time caller waits per request. The warm-up
/// lasts at least a quarter of a second: batch 1 takes the GEMV path, which training never ran, and the JIT only
/// swaps in its optimised code some 100 ms after the first 30 calls.
/// </summary>
public static class InferenceLatency
{
    /// <summary>The median microseconds of one forward pass on a single row of <paramref name="features"/>.</summary>
    public static double MicrosecondsPerSample(Layer model, Tensor features, int calls = 300)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new Graph(features.Backend, evaluationMode: true);
        int rows = features.Shape[0];
        IntTensor predicted = IntTensor.Zeros(1, features.Backend);
        using var _ = GradMode.NoGrad();
        void Forward(int row)
        {
            graph.Reset();
            Variable logits = model.Forward(graph.Input(features.Slice(row % rows, 1)));
            logits.Data.Backend.ArgMax(logits.Data, predicted);
        }
        return MedianMicroseconds(Forward, calls);
    }

    /// <summary>
    /// Throughput at batch <paramref name="batch"/>: samples per second of one forward pass over a block of
    /// <paramref name="batch"/> rows of <paramref name="features"/> (cycled when it has fewer), from the median of
    /// <paramref name="calls"/> timed passes (evaluation mode, no gradients, buffers reused).
    /// </summary>
    public static double SamplesPerSecond(Layer model, Tensor features, int batch = 256, int calls = 20)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int rows = features.Shape[0], width = features.Shape[1];
        var block = new float[batch * width];
        ReadOnlySpan<float> source = features.Span;
        for (int r = 0; r < batch; r++) source.Slice(r % rows * width, width).CopyTo(block.AsSpan(r * width, width));
        Tensor input = Tensor.FromArray(block, new Shape(batch, width));
        var graph = new Graph(features.Backend, evaluationMode: true);
        IntTensor predicted = IntTensor.Zeros(batch, features.Backend);
        using var _ = GradMode.NoGrad();
        void Forward(int call)
        {
            graph.Reset();
            Variable logits = model.Forward(graph.Input(input));
            logits.Data.Backend.ArgMax(logits.Data, predicted);
        }
        return batch / (MedianMicroseconds(Forward, calls) * 1e-6);
    }

    /// <summary>
    /// The median microseconds of <paramref name="call"/>(i) over <paramref name="calls"/> timed calls, after a warm-up
    /// of at least a quarter second and a fifth as many calls (see the class remarks for why that long).
    /// </summary>
    public static double MedianMicroseconds(Action<int> call, int calls)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(calls);
        long warmupEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 4;
        for (int i = 0; i < calls / 5 || Stopwatch.GetTimestamp() < warmupEnd; i++) call(i);
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times[calls / 2];
    }
}
