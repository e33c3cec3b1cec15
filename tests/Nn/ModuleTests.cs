using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Nn;

public class ModuleTests
{
    [Fact]
    public void Mlp_builds_linear_activation_dropout_layers_with_pytorch_names()
    {
        var mlp = new Mlp(MlpSpec.Parse("784-1200-1200-10", dropout: 0.5f), new Rng(1));
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"], mlp.NamedParameters().Select(p => p.Name));
        Assert.Equal(784L * 1200 + 1200 + 1200 * 1200 + 1200 + 1200 * 10 + 10, mlp.ParameterCount());
        Assert.IsType<ReLU>(mlp[1]);
        Assert.IsType<Dropout>(mlp[2]);
    }

    [Theory]
    [InlineData("784", "at least")]
    [InlineData("784--10", "''")]
    [InlineData("784-0-10", "'0'")]
    [InlineData("784-1e3-10", "'1e3'")]
    public void MlpSpec_rejects_malformed_sizes_naming_the_part(string sizes, string fragment) =>
        Check.Throws<ArgumentException>(() => MlpSpec.Parse(sizes), sizes, fragment);

    [Fact]
    public void Linear_init_is_uniform_within_one_over_sqrt_fan_in()
    {
        var layer = new Linear(400, 300, new Rng(2));
        float bound = 1f / MathF.Sqrt(400);
        float[] w = layer.Weight.Data.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.InRange(w.Max(), bound * 0.99f, bound);
        Assert.InRange(w.Average(), -0.001, 0.001);
    }

    [Fact]
    public void Train_and_eval_switch_every_descendant()
    {
        var mlp = new Mlp(MlpSpec.Parse("4-3-2", dropout: 0.5f), new Rng(1));
        mlp.Eval();
        Assert.False(mlp[2].IsTraining);
        mlp.Train();
        Assert.True(mlp[2].IsTraining);
    }

    [Fact]
    public void StateDict_round_trips_into_a_fresh_model()
    {
        var a = new Mlp(MlpSpec.Parse("5-4-3"), new Rng(1));
        var b = new Mlp(MlpSpec.Parse("5-4-3"), new Rng(2));
        b.LoadStateDict(a.StateDict());
        var g = new Graph();
        var x = Check.Random(3, -1, 1, 2, 5);
        Check.Close(a.Forward(g.Input(x)).Data, b.Forward(g.Input(x)).Data, 0, 0, "outputs");
    }

    [Fact]
    public void LoadStateDict_names_missing_unexpected_and_misshaped_entries()
    {
        var model = new Mlp(MlpSpec.Parse("5-4-3"), new Rng(1));
        var state = model.StateDict();
        state.Remove("2.bias");
        state["extra"] = Tensor.Zeros(1);
        Check.Throws<ArgumentException>(() => model.LoadStateDict(state), "missing [2.bias]", "unexpected [extra]");
        var wrong = model.StateDict();
        wrong["0.weight"] = Tensor.Zeros(4, 6);
        Check.Throws<ArgumentException>(() => model.LoadStateDict(wrong), "0.weight", "[4, 6]", "[4, 5]");
    }

    [Fact]
    public void Dropout_module_draws_a_new_mask_each_training_forward()
    {
        var drop = new Dropout(0.5f, seed: 3);
        var g = new Graph();
        var x = g.Input(Tensor.FromArray(Enumerable.Repeat(1f, 64).ToArray(), 1, 64));
        float[] first = drop.Forward(x).Data.ToArray();
        float[] second = drop.Forward(x).Data.ToArray();
        Assert.NotEqual(first, second);
        Assert.Equal(2UL, drop.Stream);
    }
}

[Collection(AllocationCollection.Name)]
public class ModuleModeAllocationTests
{
    [Fact]
    public void Switching_modes_reaches_every_descendant_and_allocates_nothing_once_warm()
    {
        var model = new Mlp(MlpSpec.Parse("6-5-4-3", Activation.Relu, 0.5f), new Rng(1));
        model.Eval();
        Assert.All(model.Modules(), m => Assert.False(m.IsTraining));
        Allocations.AssertNone(() =>
        {
            model.Train();
            model.Eval();
        }, "Train() then Eval()");
        model.Train();
        Assert.All(model.Modules(), m => Assert.True(m.IsTraining));
    }
}
