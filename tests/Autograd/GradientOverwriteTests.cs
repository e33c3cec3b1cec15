using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

// A backward writes the first term of a gradient over the buffer instead of zero-filling it and adding (the buffer
// holds whatever the previous step left there). These run each op three times on one reused graph, the inputs scaled
// differently each step so the stale gradients differ from the new ones, and compare every gradient — the leaves'
// (after ZeroGrad) and the op inputs' (intermediate results, one assigned by the op, one added to) — with the same
// step on a fresh graph, bit for bit: an element the overwrite missed keeps the previous step's value, one added
// twice doubles.
public class GradientOverwriteTests
{
    // y = op(ha, hb) with ha = s·a [3, 4] and hb = s·b ([3, 4], or the row [4] for the broadcast cases).
    private static readonly Dictionary<string, Func<Variable, Variable, Variable>> Cases = new()
    {
        ["scale"] = (a, _) => Ops.Scale(a, -0.5f),
        ["add"] = Ops.Add,
        ["subtract"] = Ops.Subtract,
        ["multiply"] = Ops.Multiply,
        ["divide"] = Ops.Divide,
        ["add a row"] = Ops.Add,
        ["subtract a row"] = Ops.Subtract,
        ["multiply by a row"] = Ops.Multiply,
        ["divide by a row"] = Ops.Divide,
        ["a + a"] = (a, _) => Ops.Add(a, a),
        ["a · a"] = (a, _) => Ops.Multiply(a, a),
        ["reshape"] = (a, _) => Ops.Reshape(a, 4, 3),
        ["transpose"] = (a, _) => Ops.Transpose(a),
        ["concat"] = (a, b) => Ops.Concat(0, a, b),
        ["concat a, a"] = (a, _) => Ops.Concat(1, a, a),
        ["sum along an axis"] = (a, _) => Ops.Sum(a, 1),
        ["mean of all"] = (a, _) => Ops.Mean(a),
        ["mse"] = Losses.Mse,
        ["kl divergence"] = (a, b) => Losses.KlDivergence(a, b, 2f),
        ["weighted kl divergence"] = (a, b) => Losses.KlDivergence(a, b, 2f, weight: 3.5f),
        ["fake-quantized rows"] = (a, _) => Ops.FakeQuantizeRows(a),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void A_reused_graph_gives_the_gradients_of_a_fresh_one_step_after_step(string name)
    {
        var a = Variable.Parameter(Check.Random(1, -1f, 1f, 3, 4));
        var b = Variable.Parameter(name.EndsWith("row", StringComparison.Ordinal) ? Check.Random(2, 0.5f, 2f, 4) : Check.Random(2, 0.5f, 2f, 3, 4));
        using var reused = new Graph();
        for (int step = 0; step < 3; step++)
        {
            float s = 1f + step;
            float[][] again = Gradients(reused, Cases[name], a, b, s, extraTerm: true);
            using var fresh = new Graph();
            float[][] expected = Gradients(fresh, Cases[name], a, b, s, extraTerm: true);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], again[i]);
            // The op's term alone: ha's gradient is the same, hb's lacks r' (a broadcast operand's rows are added to r'
            // one by one, so there the sum is rounded in another order).
            using var alone = new Graph();
            float[][] opAlone = Gradients(alone, Cases[name], a, b, s, extraTerm: false);
            Assert.Equal(opAlone[2], again[2]);
            float[] r = ExtraWeights(b.Shape).ToArray();
            Check.Close(opAlone[3].Length == 0 ? r : opAlone[3].Select((v, i) => v + r[i]).ToArray(), again[3], 1e-6f, 1e-6f, "hb's gradient");
        }
    }

    // loss = Σ y·r (1.5·y where y is a scalar), + Σ hb·r' with extraTerm, recorded after y so that backward reaches it
    // first: hb's gradient is then assigned by that term and added to by the op (ha's is assigned by the op). Returns
    // the gradients of a, b, ha and hb (hb's empty on a fresh graph when nothing reached it).
    private static float[][] Gradients(Graph g, Func<Variable, Variable, Variable> op, Variable a, Variable b, float s, bool extraTerm)
    {
        g.Reset();
        a.ZeroGrad();
        b.ZeroGrad();
        Variable ha = Scaled(g, a, s), hb = Scaled(g, b, s);
        Variable y = op(ha, hb);
        Variable loss = y.Data.Length == 1 ? Ops.Scale(y, 1.5f) : Ops.Sum(Ops.Multiply(y, g.Input(Check.Random(3, -1f, 1f, y.Shape.ToArray()))));
        if (extraTerm) loss += Ops.Sum(Ops.Multiply(hb, g.Input(ExtraWeights(hb.Shape))));
        loss.Backward();
        return [a.Grad.ToArray(), b.Grad.ToArray(), ha.Grad.ToArray(), hb.Grad.IsEmpty ? [] : hb.Grad.ToArray()];
    }

    private static Tensor ExtraWeights(Shape shape) => Check.Random(4, -1f, 1f, shape.ToArray());

    // s·v as a result of graph g: v times a constant input of s.
    private static Variable Scaled(Graph g, Variable v, float s) =>
        Ops.Multiply(v, g.Input(Tensor.FromArray(Enumerable.Repeat(s, v.Data.Length).ToArray(), v.Shape.ToArray())));
}
