using TinyKd.Tensors;

namespace TinyKd.Autograd;

public static partial class Ops
{
    /// <summary>A view of x with another shape (one dimension may be −1); no data is copied.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public static Variable Reshape(Variable x, params ReadOnlySpan<int> dims)
    {
        Graph g = Graph.Of(nameof(Reshape), x);
        Tensor view = x.Data.Reshape(dims);
        bool records = Graph.Records(x);
        Variable y = g.Borrow(view, records);
        if (records) g.Record(new TapeEntry(ReshapeBackward, y, x));
        return y;
    }

    // dx += dy, element for element (the shapes differ, the order does not); dx = dy when nothing of this pass is in it.
    private static void ReshapeBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.Copy(dx, e.Output.Grad, accumulate: !overwrite);
    }

    /// <summary>Swaps the last two axes: [.., M, N] → [.., N, M] (a copy, so the result stays contiguous).</summary>
    /// <exception cref="ArgumentException">x has rank below 2.</exception>
    public static Variable Transpose(Variable x)
    {
        Graph g = Graph.Of(nameof(Transpose), x);
        if (x.Shape.Rank < 2) throw new ArgumentException($"Transpose needs rank ≥ 2; got {x.Shape}.", nameof(x));
        bool records = Graph.Records(x);
        Variable y = g.Result(x.Shape.With(-2, x.Shape[-1]).With(-1, x.Shape[-2]), records);
        g.Backend.TransposeLastTwo(y.Data, x.Data);
        if (records) g.Record(new TapeEntry(TransposeBackward, y, x));
        return y;
    }

    // dx += dyᵀ (= when nothing of this pass is in dx yet).
    private static void TransposeBackward(in TapeEntry e, Graph g)
    {
        Tensor dx = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.TransposeLastTwo(dx, e.Output.Grad, accumulate: !overwrite);
    }

    /// <summary>Joins variables along <paramref name="axis"/>; all other dimensions must agree.</summary>
    /// <exception cref="ArgumentException">No inputs, or their shapes disagree off the axis.</exception>
    public static Variable Concat(int axis, params ReadOnlySpan<Variable> inputs)
    {
        if (inputs.Length == 0) throw new ArgumentException("Concat needs at least one input.", nameof(inputs));
        Graph g = Graph.Of(nameof(Concat), inputs[0]);
        Shape first = inputs[0].Shape;
        int a = first.NormalizeAxis(axis);
        int total = 0;
        bool records = false;
        foreach (Variable v in inputs)
        {
            g.CheckInput(nameof(Concat), v);
            if (v.Shape.Rank != first.Rank || v.Shape.With(a, 0) != first.With(a, 0))
                throw new ArgumentException($"Concat along axis {axis}: {v.Shape} does not match {first} off that axis.", nameof(inputs));
            total += v.Shape[a];
            records |= Graph.Records(v);
        }
        Variable y = g.Result(first.With(a, total), records);
        int offset = 0;
        foreach (Variable v in inputs)
        {
            g.Backend.CopyAlongAxis(y.Data, offset, v.Data, 0, v.Shape[a], a);
            offset += v.Shape[a];
        }
        if (records) g.Record(new TapeEntry(ConcatBackward, y, null) { I0 = a, I1 = g.StoreInputs(inputs), I2 = inputs.Length });
        return y;
    }

    // I0 = axis, inputs stored at [I1, I1 + I2).  dx_i += the slice of dy that x_i filled (= when nothing of this pass
    // is in dx_i yet; an input listed twice gets its second slice added).
    private static void ConcatBackward(in TapeEntry e, Graph g)
    {
        int offset = 0;
        foreach (Variable v in g.StoredInputs(e.I1, e.I2))
        {
            int n = v.Shape[e.I0];
            if (v.RequiresGrad)
            {
                Tensor dv = g.GradForWrite(v, out bool overwrite);
                g.Backend.CopyAlongAxis(dv, 0, e.Output.Grad, offset, n, e.I0, accumulate: !overwrite);
            }
            offset += n;
        }
    }

    /// <summary>
    /// The slices [start, start + length) of x along <paramref name="axis"/> (PyTorch's <c>narrow</c>), as a contiguous
    /// copy: e.g. the positive column of a [B, L] score matrix, or its negatives.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside that axis.</exception>
    public static Variable Narrow(Variable x, int axis, int start, int length)
    {
        Graph g = Graph.Of(nameof(Narrow), x);
        int a = x.Shape.NormalizeAxis(axis);
        if (start < 0 || length < 0 || start + length > x.Shape[a])
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: [{start}, {start + length}) is outside axis {a} of {x.Shape}.");
        bool records = Graph.Records(x);
        Variable y = g.Result(x.Shape.With(a, length), records);
        g.Backend.CopyAlongAxis(y.Data, 0, x.Data, start, length, a);
        if (records) g.Record(new TapeEntry(NarrowBackward, y, x) { I0 = a, I1 = start });
        return y;
    }

    // I0 = axis, I1 = start.  dx[.., start + k, ..] += dy[.., k, ..].
    private static void NarrowBackward(in TapeEntry e, Graph g) =>
        g.Backend.CopyAlongAxis(g.GradOf(e.A!), e.I1, e.Output.Grad, 0, e.Output.Shape[e.I0], e.I0, accumulate: true);
}
