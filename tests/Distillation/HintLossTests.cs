using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Distillation;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Distillation;

// The FitNets hint: MSE between a projected student hidden layer and a teacher hidden layer.
public class HintLossTests
{
    [Fact]
    public void Gradient_for_both_hidden_layers_matches_finite_differences()
    {
        var hint = new HintLoss(studentWidth: 3, teacherWidth: 5, new Rng(1));
        var r = GradCheck.Check(v => hint.Compute(v[0], v[1]), [Check.Random(2, -2, 2, 4, 3), Check.Random(3, -2, 2, 4, 5)]);
        Assert.True(r.Passed, r.ToString());
    }

    // The loss is quadratic in the projection, so central differences are exact up to float rounding.
    [Fact]
    public void Gradient_of_the_projection_matches_central_differences()
    {
        var hint = new HintLoss(3, 5, new Rng(4));
        Tensor hs = Check.Random(5, -2, 2, 4, 3), ht = Check.Random(6, -2, 2, 4, 5);
        float Loss()
        {
            using var _ = GradMode.NoGrad();
            var graph = new Graph();
            return hint.Compute(graph.Input(hs), graph.Input(ht)).Item();
        }
        var g = new Graph();
        hint.Projection.Weight.ZeroGrad();
        hint.Compute(g.Input(hs), g.Input(ht)).Backward();
        float[] analytic = hint.Projection.Weight.Grad.ToArray();
        Span<float> w = hint.Projection.Weight.Data.Span;
        for (int i = 0; i < w.Length; i++)
        {
            float keep = w[i];
            w[i] = keep + 1e-2f;
            float up = Loss();
            w[i] = keep - 1e-2f;
            float down = Loss();
            w[i] = keep;
            Assert.Equal((up - down) / 2e-2f, analytic[i], 2e-3f);
        }
    }

    [Fact]
    public void Widths_that_do_not_fit_the_projection_are_named()
    {
        var hint = new HintLoss(3, 5, new Rng(1));
        var g = new Graph();
        Check.Throws<ArgumentException>(() => hint.Compute(g.Input(Check.Random(1, 0, 1, 2, 4)), g.Input(Check.Random(1, 0, 1, 2, 5))),
            "[2, 4]", "3 columns");
    }

    [Fact]
    public void Mlp_exposes_the_hidden_layer_after_its_activation()
    {
        var mlp = new Mlp(MlpSpec.Parse("4-6-3-2", Activation.Relu), new Rng(2));
        using var noGrad = GradMode.NoGrad();
        var g = new Graph();
        Variable x = g.Input(Check.Random(3, -2, 2, 5, 4));
        Variable logits = mlp.Forward(x, 2, out Variable hidden);
        Assert.Equal(new Shape(5, 3), hidden.Shape);
        Assert.All(hidden.Data.ToArray(), v => Assert.True(v >= 0f));
        Check.Close(mlp.Forward(x).Data, logits.Data, 0, 0, "logits with and without the hint");
        Check.Throws<ArgumentOutOfRangeException>(() => mlp.Forward(x, 3, out _), "2 hidden layer(s)", "hidden layer 3");
    }
}
