using TinyKd.Tensors;
using TransposeMode = TinyKd.Tensors.Transpose;

namespace TinyKd.Autograd;

// B = batch, In = input features, Out = output features
public static partial class Ops
{
    /// <summary>
    /// The fused affine layer y = x·Wᵀ + b, one GEMM with the bias in its epilogue.
    /// x: [B, In], weight: [Out, In], bias: [Out] or null → y: [B, Out].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static Variable Linear(Variable x, Variable weight, Variable? bias = null)
    {
        Graph g = Graph.Of(nameof(Linear), x, weight, bias);
        CheckAffine(nameof(Linear), x, weight, bias);
        bool records = Graph.Records(x, weight, bias);
        Variable y = g.Result(new Shape(x.Shape[0], weight.Shape[0]), records);
        g.Backend.Gemm(y.Data, x.Data, TransposeMode.No, weight.Data, TransposeMode.Yes, bias: bias?.Data ?? default);
        if (records) g.Record(new TapeEntry(LinearBackward, y, x, weight, bias));
        return y;
    }

    /// <summary>
    /// relu(x·Wᵀ + b): <see cref="Linear"/> then <see cref="Relu"/> as one GEMM with the bias and the ReLU in its
    /// epilogue, the layer a hidden layer of an MLP is (<see cref="Nn.Sequential"/> fuses a Linear followed by a ReLU
    /// into it). The forward saves a pass over the activations (on a device, a launch); the backward turns dy into the
    /// pre-activation gradient in one pass, as the separate ReLU would, then runs the Linear's three products.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static Variable LinearRelu(Variable x, Variable weight, Variable? bias = null)
    {
        Graph g = Graph.Of(nameof(LinearRelu), x, weight, bias);
        CheckAffine(nameof(LinearRelu), x, weight, bias);
        bool records = Graph.Records(x, weight, bias);
        Variable y = g.Result(new Shape(x.Shape[0], weight.Shape[0]), records);
        g.Backend.Gemm(y.Data, x.Data, TransposeMode.No, weight.Data, TransposeMode.Yes, bias: bias?.Data ?? default, epilogue: Epilogue.Relu);
        if (records) g.Record(new TapeEntry(LinearReluBackward, y, x, weight, bias) { Saved = g.Scratch(y.Shape) });
        return y;
    }

    // Saved = a buffer for the pre-activation gradient.  dpre = relu'(·)·dy, read off y (y > 0 exactly where the
    // pre-activation is), written over the buffer, and db += Σ_B dpre in the same pass (on a device, one launch); then
    // the Linear's products with dpre.
    private static void LinearReluBackward(in TapeEntry e, Graph g)
    {
        Tensor y = e.Output.Data, dpre = e.Saved;
        if (e.C is { RequiresGrad: true } b)
        {
            Tensor db = g.GradForWrite(b, out bool overwrite);
            g.Backend.ReluBackwardWithColumnSums(dpre, y, e.Output.Grad, db, accumulateSums: !overwrite);
        }
        else g.Backend.UnaryBackward(UnaryOp.Relu, dpre, y, y, e.Output.Grad, accumulate: false);
        LinearBackward(e, dpre, g, biasDone: true);
    }

    private static void CheckAffine(string op, Variable x, Variable weight, Variable? bias)
    {
        if (x.Shape.Rank != 2 || weight.Shape.Rank != 2 || x.Shape[1] != weight.Shape[1])
            throw new ArgumentException($"{op}: input {x.Shape} and weight {weight.Shape} do not fit; expected [B, In] and [Out, In].", nameof(x));
        if (bias is not null && bias.Shape.Length != weight.Shape[0])
            throw new ArgumentException($"{op}: bias {bias.Shape} should have {weight.Shape[0]} elements (one per output).", nameof(bias));
    }

    private static void LinearBackward(in TapeEntry e, Graph g) => LinearBackward(e, e.Output.Grad, g);

    // A = x, B = weight, C = bias.  dx += dy·W;  dW += dyᵀ·x;  db += Σ_B dy (unless the caller did it).
    // Each "+=" is a GEMM with β = 1, or β = 0 when the gradient holds nothing yet (no zero-fill pass needed).
    private static void LinearBackward(in TapeEntry e, Tensor dy, Graph g, bool biasDone = false)
    {
        Variable x = e.A!, w = e.B!;
        bool overwrite;
        if (x.RequiresGrad && w.RequiresGrad && !ReferenceEquals(x, w))
        {
            // Both products in one call (on a device, one launch); they write two different gradients.
            Tensor dx = g.GradForWrite(x, out bool overwriteX), dw = g.GradForWrite(w, out bool overwriteW);
            g.Backend.GemmPair(dx, dy, TransposeMode.No, w.Data, TransposeMode.No, overwriteX ? 0f : 1f,
                dw, dy, TransposeMode.Yes, x.Data, TransposeMode.No, overwriteW ? 0f : 1f);
        }
        else
        {
            if (x.RequiresGrad)
            {
                Tensor dx = g.GradForWrite(x, out overwrite);
                g.Backend.Gemm(dx, dy, TransposeMode.No, w.Data, TransposeMode.No, 1f, overwrite ? 0f : 1f);
            }
            if (w.RequiresGrad)
            {
                Tensor dw = g.GradForWrite(w, out overwrite);
                g.Backend.Gemm(dw, dy, TransposeMode.Yes, x.Data, TransposeMode.No, 1f, overwrite ? 0f : 1f);
            }
        }
        if (!biasDone && e.C is { RequiresGrad: true } b)
        {
            Tensor db = g.GradForWrite(b, out overwrite);
            g.Backend.Reduce(ReduceOp.Sum, db, dy, 0, accumulate: !overwrite);
        }
    }

    /// <summary>Matrix product a·b. a: [M, K], b: [K, N] → [M, N].</summary>
    /// <exception cref="ArgumentException">The operands are not matrices or K differs.</exception>
    public static Variable MatMul(Variable a, Variable b)
    {
        Graph g = Graph.Of(nameof(MatMul), a, b);
        if (a.Shape.Rank != 2 || b.Shape.Rank != 2 || a.Shape[1] != b.Shape[0])
            throw new ArgumentException($"MatMul: {a.Shape} · {b.Shape} does not fit; expected [M, K] · [K, N].", nameof(b));
        bool records = Graph.Records(a, b);
        Variable y = g.Result(new Shape(a.Shape[0], b.Shape[1]), records);
        g.Backend.Gemm(y.Data, a.Data, TransposeMode.No, b.Data, TransposeMode.No);
        if (records) g.Record(new TapeEntry(MatMulBackward, y, a, b));
        return y;
    }

    // da += dy·bᵀ;  db += aᵀ·dy — the transposed GEMM forms, never materialising a transpose (β = 0 on a fresh gradient).
    private static void MatMulBackward(in TapeEntry e, Graph g)
    {
        Tensor dy = e.Output.Grad;
        Variable a = e.A!, b = e.B!;
        bool overwrite;
        if (a.RequiresGrad)
        {
            Tensor da = g.GradForWrite(a, out overwrite);
            g.Backend.Gemm(da, dy, TransposeMode.No, b.Data, TransposeMode.Yes, 1f, overwrite ? 0f : 1f);
        }
        if (b.RequiresGrad)
        {
            Tensor db = g.GradForWrite(b, out overwrite);
            g.Backend.Gemm(db, a.Data, TransposeMode.Yes, dy, TransposeMode.No, 1f, overwrite ? 0f : 1f);
        }
    }
}
