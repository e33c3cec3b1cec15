using TinyKd.Tensors;

namespace TinyKd.Autograd;

// Fake quantization for quantization-aware training: the forward rounds to the int8 grid the served layer will use,
// the backward is the straight-through estimator (rounding taken as the identity, clamped codes pass nothing).
public static partial class Ops
{
    /// <summary>
    /// The activations an int8 layer sees: x quantized to u8 and back, (clamp(round(x/s) + z, 0, 255) − z)·s, with the
    /// fixed <paramref name="quantization"/> (static int8) or, when null, one taken from x's own min and max at each call
    /// (dynamic int8). Backward: the straight-through estimator, dx = dy where the code was not clamped, 0 where it was.
    /// </summary>
    /// <exception cref="ArgumentException">x holds a NaN or an infinity.</exception>
    public static Variable FakeQuantize(Variable x, ActivationQuantization? quantization = null)
    {
        Graph g = Graph.Of(nameof(FakeQuantize), x);
        bool records = Graph.Records(x);
        Variable y = g.Result(x.Shape, records);
        ActivationQuantization used = g.Backend.FakeQuantize(y.Data, x.Data, quantization);
        if (records) g.Record(new TapeEntry(FakeQuantizeBackward, y, x) { P0 = used.Scale, I0 = used.ZeroPoint });
        return y;
    }

    // P0 = scale, I0 = zero point.  dx += dy where round(x/s) + z ∈ [0, 255].
    private static void FakeQuantizeBackward(in TapeEntry e, Graph g) =>
        g.Backend.FakeQuantizeBackward(g.GradOf(e.A!), e.A!.Data, e.Output.Grad, new ActivationQuantization(e.P0, (byte)e.I0));

    /// <summary>
    /// The weight an int8 layer computes with: each row of <paramref name="weight"/> [Out, In] rounded to its 7-bit grid
    /// (scale = max |row| / 64, as <see cref="Int8LinearWeight.Quantize"/>) and scaled back. Backward: the
    /// straight-through estimator, dW = dy (the row's largest weight sets the scale, so no code is ever clamped).
    /// </summary>
    /// <exception cref="ArgumentException">The weight is not rank 2, or holds a NaN or an infinity.</exception>
    public static Variable FakeQuantizeRows(Variable weight) => RoundRows(Graph.Of(nameof(FakeQuantizeRows), weight), weight);

    /// <summary>
    /// The quantization-aware Linear: y = <see cref="FakeQuantize"/>(x)·<see cref="FakeQuantizeRows"/>(W)ᵀ + b, what
    /// an int8 layer with input quantization <paramref name="activation"/> (null: dynamic) computes, with straight-through
    /// gradients to x and W and the exact one to b. x: [B, In], W: [Out, In], b: [Out] or null → y: [B, Out].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit (as <see cref="Linear"/>), or x or W holds a NaN or an infinity.</exception>
    public static Variable FakeQuantizedLinear(Variable x, Variable weight, Variable? bias, ActivationQuantization? activation = null)
    {
        Graph g = Graph.Of(nameof(FakeQuantizedLinear), x, weight, bias);
        return Linear(FakeQuantize(x, activation), RoundRows(g, weight), bias);
    }

    private static Variable RoundRows(Graph g, Variable weight)
    {
        bool records = Graph.Records(weight);
        Variable y = g.Result(weight.Shape, records);
        g.Backend.FakeQuantizeRows(y.Data, weight.Data);
        if (records) g.Record(new TapeEntry(StraightThroughBackward, y, weight));
        return y;
    }

    // dx += dy.
    private static void StraightThroughBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.Copy(dx, e.Output.Grad, accumulate: !overwrite);
    }
}
