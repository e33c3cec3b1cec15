using TinyKd.Autograd;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;

namespace TinyKd.Tests.Optim;

public class ScheduleTests
{
    [Fact]
    public void Cosine_goes_from_base_to_min_through_the_midpoint()
    {
        var s = new CosineLr(0.1f, 100, 0.01f);
        Assert.Equal(0.1f, s.At(0), 6);
        Assert.Equal(0.055f, s.At(50), 6);
        Assert.Equal(0.01f, s.At(100), 6);
        Assert.Equal(0.01f, s.At(500), 6);
    }

    [Fact]
    public void Step_multiplies_by_gamma_every_step_size()
    {
        var s = new StepLr(1f, 10, 0.5f);
        Assert.Equal([1f, 1f, 0.5f, 0.25f], new[] { 0L, 9, 10, 25 }.Select(s.At));
    }

    [Fact]
    public void Warmup_ramps_linearly_then_hands_over()
    {
        var s = new WarmupLr(new ConstantLr(1f), 4);
        Assert.Equal([0.25f, 0.5f, 0.75f, 1f, 1f], new[] { 0L, 1, 2, 3, 10 }.Select(s.At));
    }

    [Fact]
    public void ClipGradNorm_scales_all_gradients_to_the_max_norm()
    {
        var a = Variable.Parameter(Tensor.FromArray([0f, 0f], 2));
        var b = Variable.Parameter(Tensor.FromArray([0f], 1));
        var g = new Graph();
        var loss = Ops.Sum(Ops.Multiply(g.Input(Tensor.FromArray([3f, 0f], 2)), a)) + Ops.Sum(Ops.Multiply(g.Input(Tensor.FromArray([4f], 1)), b));
        loss.Backward();
        var opt = new Sgd([a, b], 0.1f);
        Assert.Equal(5.0, opt.ClipGradNorm(1f), 5);
        Assert.Equal(0.6f, a.Grad.ToArray()[0], 5);
        Assert.Equal(0.8f, b.Grad.ToArray()[0], 5);
    }

    [Fact]
    public void Optimizers_reject_bad_hyper_parameters_naming_them()
    {
        var p = Variable.Parameter(Tensor.Zeros(1));
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1f)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1f)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1f, nesterov: true)).ParamName);
    }
}
