using TinyKd.Tensors;

namespace TinyKd.Autograd;

public static partial class Losses
{
    /// <summary>Mean squared error, mean over all N elements of (input − target)²; the shapes must be equal.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Variable Mse(Variable input, Variable target)
    {
        Graph g = Graph.Of(nameof(Mse), input, target);
        ComputeChecks.SameShape(input.Data, nameof(input), target.Data, nameof(target));
        bool records = Graph.Records(input, target);
        Tensor diff = g.Scratch(input.Shape);
        g.Backend.Binary(BinaryOp.Subtract, diff, input.Data, target.Data);
        Variable loss = g.Result(new Shape(), records);
        g.Backend.SumOfSquares(loss.Data, diff, 1f / Math.Max(input.Data.Length, 1));
        if (records) g.Record(new TapeEntry(MseBackward, loss, input, target) { Saved = diff });
        return loss;
    }

    // Saved = input − target.  dinput += 2·dloss·diff/N;  dtarget −= 2·dloss·diff/N.
    private static void MseBackward(in TapeEntry e, Graph g)
    {
        float n = Math.Max(e.Saved.Length, 1);
        if (e.A!.RequiresGrad) ScaledAddTo(g, e.A, e.Saved, e.Output.Grad, 2f, n);
        if (e.B!.RequiresGrad) ScaledAddTo(g, e.B, e.Saved, e.Output.Grad, -2f, n);
    }

    /// <summary>
    /// Binary cross-entropy on logits, mean over all N elements: max(x, 0) − x·y + log(1 + e^−|x|), PyTorch's
    /// stable <c>binary_cross_entropy_with_logits</c>. Targets are probabilities in [0, 1] of the logits' shape.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Variable BceWithLogits(Variable logits, Variable targets)
    {
        Graph g = Graph.Of(nameof(BceWithLogits), logits, targets);
        ComputeChecks.SameShape(logits.Data, nameof(logits), targets.Data, nameof(targets));
        bool records = Graph.Records(logits, targets);
        Variable loss = g.Result(new Shape(), records);
        g.Backend.BceWithLogits(loss.Data, logits.Data, targets.Data);
        if (records) g.Record(new TapeEntry(BceWithLogitsBackward, loss, logits, targets));
        return loss;
    }

    // dlogits += dloss·(σ(x) − y)/N;  dtargets += dloss·(−x)/N.
    private static void BceWithLogitsBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = e.A!.RequiresGrad ? g.GradOf(e.A) : default;
        Tensor dy = e.B!.RequiresGrad ? g.GradOf(e.B) : default;
        g.Backend.BceWithLogitsBackward(dx, dy, e.A.Data, e.B.Data, e.Output.Grad);
    }
}
