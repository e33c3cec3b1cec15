using TinyKd.Tensors;

namespace TinyKd.Autograd;

// The second operand b may be row-broadcast: same shape as a, one element, or one row of a (a bias vector).
public static partial class Ops
{
    /// <summary>a + b, with b row-broadcast over a; the result has a's shape.</summary>
    public static Variable Add(Variable a, Variable b) => Binary(BinaryOp.Add, nameof(Add), a, b);

    /// <summary>a − b, with b row-broadcast over a.</summary>
    public static Variable Subtract(Variable a, Variable b) => Binary(BinaryOp.Subtract, nameof(Subtract), a, b);

    /// <summary>a · b elementwise, with b row-broadcast over a.</summary>
    public static Variable Multiply(Variable a, Variable b) => Binary(BinaryOp.Multiply, nameof(Multiply), a, b);

    /// <summary>a / b elementwise, with b row-broadcast over a.</summary>
    public static Variable Divide(Variable a, Variable b) => Binary(BinaryOp.Divide, nameof(Divide), a, b);

    /// <summary>α·a.</summary>
    public static Variable Scale(Variable a, float alpha)
    {
        Graph g = Graph.Of(nameof(Scale), a);
        bool records = Graph.Records(a);
        Variable y = g.Result(a.Shape, records);
        g.Backend.Axpby(y.Data, a.Data, alpha, 0f);
        if (records) g.Record(new TapeEntry(ScaleBackward, y, a) { P0 = alpha });
        return y;
    }

    // P0 = α.  da += α·dy.
    private static void ScaleBackward(in TapeEntry e, Graph g) => g.Backend.Axpby(g.GradOf(e.A!), e.Output.Grad, e.P0, 1f);

    private static Variable Binary(BinaryOp op, string name, Variable a, Variable b)
    {
        Graph g = Graph.Of(name, a, b);
        ComputeChecks.RowBroadcast(a.Data, nameof(a), b.Data, nameof(b));
        bool records = Graph.Records(a, b);
        Variable y = g.Result(a.Shape, records);
        g.Backend.Binary(op, y.Data, a.Data, b.Data);
        if (records) g.Record(new TapeEntry(BinaryBackward, y, a, b) { I0 = (int)op });
        return y;
    }

    // I0 = op.  Add: da += dy, db += Σdy.  Subtract: da += dy, db −= Σdy.
    // Multiply: da += dy·b, db += Σ dy·a.  Divide (y = a/b): da += dy/b, db −= Σ dy·y/b.
    // Σ sums over the broadcast rows when b is smaller than a.
    private static void BinaryBackward(in TapeEntry e, Graph g)
    {
        ICompute c = g.Backend;
        Tensor dy = e.Output.Grad;
        Variable a = e.A!, b = e.B!;
        var op = (BinaryOp)e.I0;
        if (a.RequiresGrad)
        {
            Tensor da = g.GradOf(a);
            switch (op)
            {
                case BinaryOp.Add or BinaryOp.Subtract: c.Copy(da, dy, accumulate: true); break;
                case BinaryOp.Multiply: c.Binary(BinaryOp.Multiply, da, dy, b.Data, accumulate: true); break;
                case BinaryOp.Divide: c.Binary(BinaryOp.Divide, da, dy, b.Data, accumulate: true); break;
            }
        }
        if (!b.RequiresGrad) return;
        switch (op)
        {
            case BinaryOp.Add: AccumulateBroadcast(g, b, dy, 1f); break;
            case BinaryOp.Subtract: AccumulateBroadcast(g, b, dy, -1f); break;
            case BinaryOp.Multiply:
            {
                Tensor t = g.Scratch(dy.Shape);
                c.Binary(BinaryOp.Multiply, t, dy, a.Data);
                AccumulateBroadcast(g, b, t, 1f);
                break;
            }
            case BinaryOp.Divide:
            {
                Tensor t = g.Scratch(dy.Shape);
                c.Binary(BinaryOp.Multiply, t, dy, e.Output.Data);
                c.Binary(BinaryOp.Divide, t, t, b.Data);
                AccumulateBroadcast(g, b, t, -1f);
                break;
            }
        }
    }

    // grad(b) += scale · (full summed down to b's broadcast shape).
    private static void AccumulateBroadcast(Graph g, Variable b, Tensor full, float scale)
    {
        Tensor db = g.GradOf(b);
        if (db.Length == full.Length) g.Backend.Axpby(db, full, scale, 1f);
        else if (db.Length == 1) g.Backend.Reduce(ReduceOp.Sum, db, full.Reshape(full.Length), 0, scale, accumulate: true);
        else g.Backend.Reduce(ReduceOp.Sum, db, full.Reshape(-1, db.Length), 0, scale, accumulate: true);
    }
}
