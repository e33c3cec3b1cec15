using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>
/// Loss functions: each returns a scalar variable (shape []) and fuses its forward into one backend kernel with
/// a matching fused backward. B = rows (batch), C = classes.
/// </summary>
public static partial class Losses
{
    // A loss weight must be finite (0 is allowed: the term then contributes nothing).
    private static void CheckWeight(float weight)
    {
        if (!float.IsFinite(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), $"A loss weight must be finite; got {weight}.");
    }

    // v's gradient += (factor·dloss/divisor)·term, or = when nothing of this backward pass is in it yet (no zero-fill).
    private static void ScaledAddTo(Graph g, Variable v, Tensor term, Tensor dloss, float factor = 1f, float divisor = 1f)
    {
        Tensor grad = g.GradForWrite(v, out bool overwrite);
        g.Backend.ScaledAdd(grad, term, dloss, factor, divisor, accumulate: !overwrite);
    }
}
