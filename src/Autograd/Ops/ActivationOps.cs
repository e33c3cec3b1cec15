using TinyKd.Tensors;

namespace TinyKd.Autograd;

// Elementwise activations: y has x's shape.
public static partial class Ops
{
    /// <summary>max(x, 0).</summary>
    public static Variable Relu(Variable x) => Unary(UnaryOp.Relu, nameof(Relu), x, 0f);

    /// <summary>x for x &gt; 0, otherwise <paramref name="negativeSlope"/>·x (PyTorch's default slope 0.01).</summary>
    public static Variable LeakyRelu(Variable x, float negativeSlope = 0.01f) => Unary(UnaryOp.LeakyRelu, nameof(LeakyRelu), x, negativeSlope);

    /// <summary>tanh(x).</summary>
    public static Variable Tanh(Variable x) => Unary(UnaryOp.Tanh, nameof(Tanh), x, 0f);

    /// <summary>1 / (1 + e^−x).</summary>
    public static Variable Sigmoid(Variable x) => Unary(UnaryOp.Sigmoid, nameof(Sigmoid), x, 0f);

    /// <summary>x·Φ(x), the exact GELU (PyTorch's default, not the tanh approximation).</summary>
    public static Variable Gelu(Variable x) => Unary(UnaryOp.Gelu, nameof(Gelu), x, 0f);

    private static Variable Unary(UnaryOp op, string name, Variable x, float parameter)
    {
        Graph g = Graph.Of(name, x);
        bool records = Graph.Records(x);
        Variable y = g.Result(x.Shape, records);
        g.Backend.Unary(op, y.Data, x.Data, parameter);
        if (records) g.Record(new TapeEntry(UnaryBackward, y, x) { I0 = (int)op, P0 = parameter });
        return y;
    }

    // I0 = op, P0 = its parameter.  dx += f'(x)·dy (the backend knows each f'), written over dx when it holds nothing
    // of this pass yet (no zero-fill first).
    private static void UnaryBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.UnaryBackward((UnaryOp)e.I0, dx, e.A!.Data, e.Output.Data, e.Output.Grad, e.P0, accumulate: !overwrite);
    }

    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and scales the
    /// survivors by 1/(1−p); the mask comes from (<paramref name="seed"/>, <paramref name="stream"/>) alone, so the
    /// same pair gives the same mask. Outside training (or p = 0) it returns <paramref name="x"/> itself.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1).</exception>
    public static Variable Dropout(Variable x, float p, bool training, ulong seed, ulong stream)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1); got {p}.");
        if (!training || p == 0f) return x;
        Graph g = Graph.Of(nameof(Dropout), x);
        bool records = Graph.Records(x);
        Tensor mask = g.Scratch(x.Shape);
        g.Backend.DropoutMask(mask, p, seed, stream);
        Variable y = g.Result(x.Shape, records);
        g.Backend.Binary(BinaryOp.Multiply, y.Data, x.Data, mask);
        if (records) g.Record(new TapeEntry(DropoutBackward, y, x) { Saved = mask });
        return y;
    }

    // Saved = mask (0 or 1/(1−p)).  dx += dy·mask (written over dx when it holds nothing of this pass yet).
    private static void DropoutBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.Binary(BinaryOp.Multiply, dx, e.Output.Grad, e.Saved, accumulate: !overwrite);
    }
}
