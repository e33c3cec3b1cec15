using TinyKd.Tensors;

namespace TinyKd.Autograd;

// The binary elementwise ops broadcast as PyTorch does (Shape.TryBroadcast): the shapes are aligned at their last
// dimension, and a size-1 or missing dimension of either operand is repeated along the other's, so y has the
// broadcast shape. The backward sums each operand's gradient back over the dimensions it was repeated along
// (ICompute.SumTo).
public static partial class Ops
{
    /// <summary>
    /// a + b elementwise with PyTorch's broadcasting: the result has the broadcast shape of a and b (e.g. [B, C] + [C]
    /// adds a row to every row, [B, C] + [B, 1] a column to every column, [2, 3] + [3, 2] is an error).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Variable Add(Variable a, Variable b) => Binary(BinaryOp.Add, nameof(Add), a, b);

    /// <summary>a − b elementwise with PyTorch's broadcasting (see <see cref="Add"/>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Variable Subtract(Variable a, Variable b) => Binary(BinaryOp.Subtract, nameof(Subtract), a, b);

    /// <summary>a · b elementwise with PyTorch's broadcasting (see <see cref="Add"/>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Variable Multiply(Variable a, Variable b) => Binary(BinaryOp.Multiply, nameof(Multiply), a, b);

    /// <summary>a / b elementwise with PyTorch's broadcasting (see <see cref="Add"/>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
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

    // P0 = α.  da += α·dy (da = α·dy when nothing of this pass is in da yet: no zero-fill first).
    private static void ScaleBackward(in TapeEntry e, Graph g)
    {
        Tensor da = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.Axpby(da, e.Output.Grad, e.P0, overwrite ? 0f : 1f);
    }

    // a: A, b: Bs (shapes that broadcast) -> y: the broadcast shape Y.
    private static Variable Binary(BinaryOp op, string name, Variable a, Variable b)
    {
        Graph g = Graph.Of(name, a, b);
        Shape shape = ComputeChecks.Broadcast(a.Data, nameof(a), b.Data, nameof(b));
        bool records = Graph.Records(a, b);
        Variable y = g.Result(shape, records);
        g.Backend.Binary(op, y.Data, a.Data, b.Data);
        if (records) g.Record(new TapeEntry(BinaryBackward, y, a, b) { I0 = (int)op });
        return y;
    }

    // I0 = op.  With Σ↓ the sum over the dimensions an operand was broadcast along (ICompute.SumTo):
    // Add: da += Σ↓ dy, db += Σ↓ dy.  Subtract: da += Σ↓ dy, db −= Σ↓ dy.
    // Multiply: da += Σ↓ dy·b, db += Σ↓ dy·a.  Divide (y = a/b): da += Σ↓ dy/b, db −= Σ↓ dy·y/b.
    // An operand of y's shape takes its term directly; a broadcast one takes it through a scratch of y's shape. Each
    // term is written whole, so a gradient that holds nothing of this pass yet is assigned rather than zeroed and added.
    private static void BinaryBackward(in TapeEntry e, Graph g)
    {
        ICompute c = g.Backend;
        Tensor dy = e.Output.Grad;
        Variable a = e.A!, b = e.B!;
        var op = (BinaryOp)e.I0;
        if (a.RequiresGrad)
        {
            Tensor da = g.GradForWrite(a, out bool overwrite);
            bool full = a.Shape == dy.Shape, add = !overwrite;
            switch (op)
            {
                case BinaryOp.Add or BinaryOp.Subtract: c.SumTo(da, dy, 1f, add); break;
                case BinaryOp.Multiply or BinaryOp.Divide when full: c.Binary(op, da, dy, b.Data, add); break;
                case BinaryOp.Multiply or BinaryOp.Divide:
                {
                    Tensor t = g.Scratch(dy.Shape);
                    c.Binary(op, t, dy, b.Data);
                    c.SumTo(da, t, 1f, add);
                    break;
                }
            }
        }
        if (!b.RequiresGrad) return;
        Tensor db = g.GradForWrite(b, out bool overwriteB);
        bool addB = !overwriteB;
        switch (op)
        {
            case BinaryOp.Add: c.SumTo(db, dy, 1f, addB); break;
            case BinaryOp.Subtract: c.SumTo(db, dy, -1f, addB); break;
            case BinaryOp.Multiply when b.Shape == dy.Shape: c.Binary(BinaryOp.Multiply, db, dy, a.Data, addB); break;
            case BinaryOp.Multiply:
            {
                Tensor t = g.Scratch(dy.Shape);
                c.Binary(BinaryOp.Multiply, t, dy, a.Data);
                c.SumTo(db, t, 1f, addB);
                break;
            }
            case BinaryOp.Divide:
            {
                Tensor t = g.Scratch(dy.Shape);
                c.Binary(BinaryOp.Multiply, t, dy, e.Output.Data);
                c.Binary(BinaryOp.Divide, t, t, b.Data);
                c.SumTo(db, t, -1f, addB);
                break;
            }
        }
    }
}
