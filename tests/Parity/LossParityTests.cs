using TinyKd.Autograd;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Parity;

/// <summary>
/// Every loss against PyTorch's functional form (fixture losses.json): the value and the gradient for each input
/// that PyTorch differentiates. s = student logits [4, 5], t = teacher logits [4, 5].
/// </summary>
public class LossParityTests(ITestOutputHelper output)
{
    private readonly ParityCheck _check = new(Fixture.Load("losses"), output);

    private Fixture Data => _check.Fixture;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CrossEntropy_and_gradient_match_pytorch(bool smoothed)
    {
        string key = smoothed ? "ce_smooth" : "ce";
        float labelSmoothing = smoothed ? Data.Number("label_smoothing") : 0f;
        var g = new Graph();
        Variable s = g.Input(Data.Get("s"), requiresGrad: true);
        Variable loss = Losses.CrossEntropy(s, Data.Labels("labels"), labelSmoothing);
        loss.Backward();

        _check.Matches(key + ".loss", loss.Item());
        _check.Matches(key + ".grad.s", s.Grad);
    }

    // F.kl_div(F.log_softmax(s/T), F.softmax(t/T), reduction='batchmean'), with gradients for student and teacher.
    [Theory]
    [InlineData(1f)]
    [InlineData(4f)]
    public void KdLoss_and_gradients_match_pytorch(float temperature)
    {
        var g = new Graph();
        Variable s = g.Input(Data.Get("s"), requiresGrad: true);
        Variable t = g.Input(Data.Get("t"), requiresGrad: true);
        Variable loss = Losses.KlDivergence(s, t, temperature);
        loss.Backward();

        string key = $"kl_T{temperature:0}";
        _check.Matches(key + ".loss", loss.Item());
        _check.Matches(key + ".grad.s", s.Grad);
        _check.Matches(key + ".grad.t", t.Grad);
    }

    // Hinton et al.: α·T²·KL(teacher ‖ student at T) + (1 − α)·CE(student, labels), the teacher frozen.
    [Fact]
    public void Hinton_combination_and_gradient_match_pytorch()
    {
        float alpha = Data.Number("hinton_alpha"), temperature = Data.Number("hinton_temperature");
        var g = new Graph();
        Variable s = g.Input(Data.Get("s"), requiresGrad: true);
        Variable t = g.Input(Data.Get("t"));
        Variable loss = Ops.Scale(Losses.KlDivergence(s, t, temperature), alpha * temperature * temperature)
            + Ops.Scale(Losses.CrossEntropy(s, Data.Labels("labels")), 1f - alpha);
        loss.Backward();

        _check.Matches("hinton.loss", loss.Item());
        _check.Matches("hinton.grad.s", s.Grad);
    }

    [Fact]
    public void Mse_and_gradients_match_pytorch()
    {
        var g = new Graph();
        Variable input = g.Input(Data.Get("s"), requiresGrad: true);
        Variable target = g.Input(Data.Get("target"), requiresGrad: true);
        Variable loss = Losses.Mse(input, target);
        loss.Backward();

        _check.Matches("mse.loss", loss.Item());
        _check.Matches("mse.grad.input", input.Grad);
        _check.Matches("mse.grad.target", target.Grad);
    }

    [Fact]
    public void BceWithLogits_and_gradients_match_pytorch()
    {
        var g = new Graph();
        Variable logits = g.Input(Data.Get("s"), requiresGrad: true);
        Variable targets = g.Input(Data.Get("prob"), requiresGrad: true);
        Variable loss = Losses.BceWithLogits(logits, targets);
        loss.Backward();

        _check.Matches("bce.loss", loss.Item());
        _check.Matches("bce.grad.logits", logits.Grad);
        _check.Matches("bce.grad.targets", targets.Grad);
    }
}
