using TinyKd.Tensors;

namespace TinyKd.Autograd;

public static partial class Ops
{
    /// <summary>The sum of all elements, as a scalar (shape []).</summary>
    public static Variable Sum(Variable x) => ReduceAll(x, ReduceOp.Sum, nameof(Sum));

    /// <summary>The mean of all elements, as a scalar (shape []).</summary>
    public static Variable Mean(Variable x) => ReduceAll(x, ReduceOp.Mean, nameof(Mean));

    /// <summary>The sum along <paramref name="axis"/> (negative counts from the end); that axis is removed.</summary>
    public static Variable Sum(Variable x, int axis) => ReduceAxis(x, ReduceOp.Sum, nameof(Sum), axis);

    /// <summary>The mean along <paramref name="axis"/>; that axis is removed.</summary>
    public static Variable Mean(Variable x, int axis) => ReduceAxis(x, ReduceOp.Mean, nameof(Mean), axis);

    private static Variable ReduceAll(Variable x, ReduceOp op, string name)
    {
        Graph g = Graph.Of(name, x);
        bool records = Graph.Records(x);
        Variable y = g.Result(new Shape(), records);
        Tensor flat = x.Data.Reshape(x.Data.Length);
        g.Backend.Reduce(op, y.Data, flat, 0);
        if (records) g.Record(new TapeEntry(ReduceBackward, y, x) { I0 = (int)op, I1 = -1 });
        return y;
    }

    private static Variable ReduceAxis(Variable x, ReduceOp op, string name, int axis)
    {
        Graph g = Graph.Of(name, x);
        int a = x.Shape.NormalizeAxis(axis);
        bool records = Graph.Records(x);
        Variable y = g.Result(x.Shape.Without(a), records);
        g.Backend.Reduce(op, y.Data, x.Data, a);
        if (records) g.Record(new TapeEntry(ReduceBackward, y, x) { I0 = (int)op, I1 = a });
        return y;
    }

    // I0 = Sum or Mean, I1 = axis (−1: all elements).  dx[.., a, ..] += dy[.., ..]·(1 for Sum, 1/n for Mean), or =
    // when nothing of this pass is in dx yet.
    private static void ReduceBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = g.GradForWrite(e.A!, out bool overwrite);
        if (e.I1 < 0) dx = dx.Reshape(dx.Length);
        int axis = Math.Max(e.I1, 0);
        float scale = (ReduceOp)e.I0 == ReduceOp.Mean ? 1f / Math.Max(dx.Shape[axis], 1) : 1f;
        g.Backend.BroadcastAxis(dx, e.Output.Grad, axis, scale, accumulate: !overwrite);
    }
}
