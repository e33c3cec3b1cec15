using TinyKd.Autograd;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Parity;

/// <summary>
/// The broadcasting binary ops against PyTorch (fixture broadcast.json): for each case NAME, y = op(a, b) and the
/// vector–Jacobian products of a and b for the upstream gradient dy, in the operands' own shapes.
/// </summary>
public class BroadcastParityTests(ITestOutputHelper output)
{
    private readonly ParityCheck _check = new(Fixture.Load("broadcast"), output);

    private Fixture Data => _check.Fixture;

    [Theory]
    [InlineData("add_2x2_2x1")]
    [InlineData("sub_3x1_1x4")]
    [InlineData("mul_4x7_7")]
    [InlineData("mul_scalar_2x3")]
    [InlineData("div_4x1x3_5x1")]
    [InlineData("div_3x1_2x3x4")]
    [InlineData("add_2x3x4_3x1")]
    public void Broadcast_op_value_and_gradients_match_pytorch(string name)
    {
        Func<Variable, Variable, Variable> op = name[..3] switch
        {
            "add" => Ops.Add,
            "sub" => Ops.Subtract,
            "mul" => Ops.Multiply,
            "div" => Ops.Divide,
            _ => throw new ArgumentException($"No TinyKd op for fixture case '{name}'.", nameof(name)),
        };
        var g = new Graph();
        Variable a = g.Input(Data.Get(name + ".a"), requiresGrad: true);
        Variable b = g.Input(Data.Get(name + ".b"), requiresGrad: true);
        Variable y = op(a, b);
        g.Backward(y, Data.Get(name + ".dy"));

        _check.Matches(name + ".y", y.Data);
        _check.Matches(name + ".grad.a", a.Grad);
        _check.Matches(name + ".grad.b", b.Grad);
    }
}
