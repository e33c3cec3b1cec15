using TinyKd.Tensors;

namespace TinyKd.Autograd;

// Row-wise over the last axis: y has x's shape.
public static partial class Ops
{
    /// <summary>softmax(x / T) along the last axis.</summary>
    /// <exception cref="ArgumentOutOfRangeException">T is not finite and positive.</exception>
    public static Variable Softmax(Variable x, float temperature = 1f) => SoftmaxCore(x, temperature, log: false);

    /// <summary>log softmax(x / T) along the last axis, computed stably without forming the probabilities.</summary>
    /// <exception cref="ArgumentOutOfRangeException">T is not finite and positive.</exception>
    public static Variable LogSoftmax(Variable x, float temperature = 1f) => SoftmaxCore(x, temperature, log: true);

    private static Variable SoftmaxCore(Variable x, float temperature, bool log)
    {
        ComputeChecks.Temperature(temperature);
        Graph g = Graph.Of(log ? nameof(LogSoftmax) : nameof(Softmax), x);
        bool records = Graph.Records(x);
        Variable y = g.Result(x.Shape, records);
        g.Backend.Softmax(y.Data, x.Data, temperature, log);
        if (records) g.Record(new TapeEntry(SoftmaxBackward, y, x) { P0 = temperature, I0 = log ? 1 : 0 });
        return y;
    }

    // P0 = T, I0 = 1 for log-softmax.  softmax: dx += y∘(dy − ⟨dy, y⟩)/T;  log-softmax: dx += (dy − e^y·Σdy)/T.
    private static void SoftmaxBackward(in TapeEntry e, Graph g) =>
        g.Backend.SoftmaxBackward(g.GradOf(e.A!), e.Output.Data, e.Output.Grad, e.P0, e.I0 == 1);
}
