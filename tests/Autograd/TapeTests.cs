using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

public class TapeTests
{
    [Fact]
    public void Parameter_gradients_accumulate_across_backward_passes_until_zeroed()
    {
        var w = Variable.Parameter(Tensor.FromArray([2f], 1));
        var g = new Graph();
        for (int i = 0; i < 2; i++)
        {
            g.Reset();
            Ops.Sum(Ops.Multiply(g.Input(Tensor.FromArray([3f], 1)), w)).Backward();
        }
        Assert.Equal([6f], w.Grad.ToArray());
    }

    [Fact]
    public void NoGrad_records_nothing_and_results_do_not_require_a_gradient()
    {
        var w = Variable.Parameter(Tensor.FromArray([2f], 1));
        var g = new Graph();
        Variable y;
        using (GradMode.NoGrad()) y = Ops.Multiply(g.Input(Tensor.FromArray([3f], 1)), w);
        Assert.False(y.RequiresGrad);
        Assert.Equal(0, g.TapeLength);
        Assert.Equal([6f], y.Data.ToArray());
        Assert.True(GradMode.IsEnabled);
        Assert.Throws<InvalidOperationException>(() => Ops.Sum(y).Backward());
    }

    [Fact]
    public void Detach_stops_the_gradient()
    {
        var w = Variable.Parameter(Tensor.FromArray([2f], 1));
        var g = new Graph();
        var x = g.Input(Tensor.FromArray([3f], 1));
        var y = Ops.Multiply(x, w);
        Ops.Sum(Ops.Multiply(y.Detach(), w) + y).Backward();
        Assert.Equal([6f + 3f], w.Grad.ToArray());
    }

    [Fact]
    public void Backward_needs_a_scalar_and_names_the_shape()
    {
        var g = new Graph();
        var y = Ops.Relu(g.Input(Tensor.Zeros(2, 3), requiresGrad: true));
        Check.Throws<ArgumentException>(y.Backward, "[2, 3]");
    }

    [Fact]
    public void An_op_on_parameters_only_explains_how_to_attach_a_graph() =>
        Check.Throws<InvalidOperationException>(
            () => Ops.Relu(Variable.Parameter(Tensor.Zeros(2))), "Relu", "graph.Input");

    [Fact]
    public void The_seed_is_one_in_the_outputs_shape_step_after_step_and_a_second_backward_adds_again()
    {
        var w = Variable.Parameter(Tensor.FromArray([2f, -1f], 2));
        var g = new Graph();
        for (int step = 0; step < 3; step++)
        {
            g.Reset();
            w.ZeroGrad();
            Variable loss = Ops.Sum(Ops.Multiply(g.Input(Tensor.FromArray([3f, 5f], 2)), w));
            loss.Backward();
            Assert.Equal(loss.Shape, loss.Grad.Shape);
            Assert.Equal([1f], loss.Grad.ToArray());
            loss.Backward();
            Assert.Equal([6f, 10f], w.Grad.ToArray());
            Assert.Equal([1f], loss.Grad.ToArray());
        }
    }

    [Fact]
    public void Reset_reuses_the_same_buffers_for_the_same_step()
    {
        var w = Variable.Parameter(Check.Random(1, -1, 1, 4, 3));
        var g = new Graph();
        Tensor Step()
        {
            g.Reset();
            var y = Ops.Linear(g.Input(Check.Random(2, -1, 1, 5, 3)), w);
            Ops.Mean(y).Backward();
            return y.Data;
        }
        Assert.Same(Step().Storage, Step().Storage);
    }

    [Fact]
    public void Eval_mode_dropout_is_the_identity()
    {
        var g = new Graph();
        var x = g.Input(Check.Random(3, -1, 1, 4, 4));
        Assert.Same(x, Ops.Dropout(x, 0.5f, training: false, seed: 1, stream: 0));
    }

    [Fact]
    public void GradCheck_catches_a_wrong_backward()
    {
        // Scale with a backward that forgets the factor: dx += dy instead of α·dy.
        static void WrongBackward(in TapeEntry e, Graph g) => g.Backend.Axpby(g.GradOf(e.A!), e.Output.Grad, 1f, 1f);
        static Variable BrokenScale(Variable x)
        {
            Graph g = x.Graph!;
            Variable y = g.Result(x.Shape, true);
            g.Backend.Axpby(y.Data, x.Data, 3f, 0f);
            if (Graph.Records(x)) g.Record(new TapeEntry(WrongBackward, y, x));
            return y;
        }
        var result = GradCheck.Check(v => BrokenScale(v[0]), [Check.Random(4, -1, 1, 2, 3)]);
        Assert.False(result.Passed, result.ToString());
        Assert.InRange(result.Numeric / result.Analytic, 2.9, 3.1);
    }
}

public class ZeroGradTests
{
    [Fact]
    public void After_ZeroGrad_the_gradient_reads_as_zeros()
    {
        var w = Variable.Parameter(Check.Random(1, -1, 1, 3, 2));
        var g = new Graph();
        Ops.Sum(Ops.Linear(g.Input(Check.Random(2, -1, 1, 4, 2)), w)).Backward();
        Assert.Contains(w.Grad.ToArray(), v => v != 0f);
        w.ZeroGrad();
        Assert.All(w.Grad.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_weight_shared_by_two_layers_gets_both_contributions_after_ZeroGrad()
    {
        var x = Check.Random(3, -1, 1, 2, 4);
        var w = Variable.Parameter(Check.Random(4, -1, 1, 4, 4));
        var g = new Graph();
        float[] Backward()
        {
            g.Reset();
            w.ZeroGrad();
            Ops.Sum(Ops.Linear(Ops.Linear(g.Input(x), w), w)).Backward();
            return w.Grad.ToArray();
        }
        float[] first = Backward();
        float[] second = Backward();
        Assert.Equal(first, second);
        var check = GradCheck.Check(v => Ops.Linear(Ops.Linear(v[0], v[1]), v[1]), [x, w.Data]);
        Assert.True(check.Passed, check.ToString());
        var r = GradCheck.Check(v => Ops.MatMul(Ops.MatMul(v[0], v[1]), v[1]), [x, w.Data]);
        Assert.True(r.Passed, r.ToString());
    }
}
