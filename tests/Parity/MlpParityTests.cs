using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Parity;

/// <summary>
/// A 7-5-3 ReLU MLP with cross-entropy against PyTorch (fixture mlp.json): the forward pass, every gradient, and
/// the parameters after Adam, AdamW and Nesterov SGD steps from the same starting point.
/// </summary>
public class MlpParityTests(ITestOutputHelper output)
{
    private readonly ParityCheck _check = new(Fixture.Load("mlp"), output);

    private Fixture Data => _check.Fixture;

    [Fact]
    public void Mlp_forward_backward_matches_pytorch()
    {
        Mlp model = LoadModel();
        var g = new Graph();
        Variable x = g.Input(Data.Get("x"), requiresGrad: true);
        Variable logits = model.Forward(x);
        Variable loss = Losses.CrossEntropy(logits, Data.Labels("labels"));
        loss.Backward();

        _check.Matches("logits", logits.Data);
        _check.Matches("loss", loss.Item());
        _check.Matches("grad.x", x.Grad);
        foreach (var (name, p) in model.NamedParameters()) _check.Matches("grad." + name, p.Grad);
    }

    [Fact]
    public void Adam_step_matches_pytorch()
    {
        Mlp model = LoadModel();
        Train(model, new Adam(model.Parameters(), Data.Number("adam_lr")), steps: 1);
        AssertParameters(model, "adam.");
    }

    [Fact]
    public void AdamW_step_matches_pytorch()
    {
        Mlp model = LoadModel();
        Train(model, new AdamW(model.Parameters(), Data.Number("adamw_lr"), weightDecay: Data.Number("adamw_weight_decay")), steps: 1);
        AssertParameters(model, "adamw.");
    }

    [Fact]
    public void Sgd_nesterov_two_steps_match_pytorch()
    {
        Mlp model = LoadModel();
        var sgd = new Sgd(model.Parameters(), Data.Number("sgd_lr"), momentum: Data.Number("sgd_momentum"),
            nesterov: Data.Flag("sgd_nesterov"), weightDecay: Data.Number("sgd_weight_decay"));
        Train(model, sgd, steps: (int)Data.Number("sgd_steps"));
        AssertParameters(model, "sgd.");
    }

    // The fixture's parameters are PyTorch's nn.Sequential state dict: its names ("0.weight", "2.bias") are TinyKd's.
    private Mlp LoadModel()
    {
        var model = new Mlp(MlpSpec.Parse("7-5-3"), new Rng(1));
        var state = model.NamedParameters().ToDictionary(np => np.Name, np => Data.Get(np.Name));
        model.LoadStateDict(state);
        return model;
    }

    // Each step recomputes the gradients on the same batch, as the fixture's PyTorch loop does.
    private void Train(Mlp model, Optimizer optimizer, int steps)
    {
        var g = new Graph();
        Tensor x = Data.Get("x");
        int[] labels = Data.Labels("labels");
        for (int step = 0; step < steps; step++)
        {
            g.Reset();
            optimizer.ZeroGrad();
            Losses.CrossEntropy(model.Forward(g.Input(x)), labels).Backward();
            optimizer.Step();
        }
    }

    private void AssertParameters(Mlp model, string prefix)
    {
        foreach (var (name, p) in model.NamedParameters()) _check.Matches(prefix + name, p.Data);
    }
}
