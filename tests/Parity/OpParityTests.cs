using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Parity;

/// <summary>
/// The core ops against PyTorch (fixture ops.json): activations and temperature softmax with their vector–Jacobian
/// products for a given upstream gradient dy, and the three GEMM forms. x, dy: [4, 7]; a: [4, 7], b: [7, 5],
/// bt: [5, 7], c: [4, 5].
/// </summary>
public class OpParityTests(ITestOutputHelper output)
{
    private readonly ParityCheck _check = new(Fixture.Load("ops"), output);

    private Fixture Data => _check.Fixture;

    [Theory]
    [InlineData("softmax")]
    [InlineData("log_softmax")]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("gelu")]
    public void Op_value_and_vjp_match_pytorch(string op)
    {
        float temperature = Data.Number("temperature"), slope = Data.Number("leaky_relu_slope");
        Func<Variable, Variable> f = op switch
        {
            "softmax" => x => Ops.Softmax(x, temperature),
            "log_softmax" => x => Ops.LogSoftmax(x, temperature),
            "relu" => Ops.Relu,
            "leaky_relu" => x => Ops.LeakyRelu(x, slope),
            "tanh" => Ops.Tanh,
            "sigmoid" => Ops.Sigmoid,
            "gelu" => Ops.Gelu,
            _ => throw new ArgumentException($"No TinyKd op for fixture entry '{op}'.", nameof(op)),
        };
        var g = new Graph();
        Variable input = g.Input(Data.Get("x"), requiresGrad: true);
        Variable y = f(input);
        g.Backward(y, Data.Get("dy"));

        _check.Matches(op + ".y", y.Data);
        _check.Matches(op + ".vjp", input.Grad);
    }

    [Fact]
    public void MatMul_value_and_gradients_match_pytorch()
    {
        var g = new Graph();
        Variable a = g.Input(Data.Get("a"), requiresGrad: true);
        Variable b = g.Input(Data.Get("b"), requiresGrad: true);
        Variable y = Ops.MatMul(a, b);
        g.Backward(y, Data.Get("dmm"));

        _check.Matches("matmul.ab", y.Data);
        _check.Matches("matmul.ab.grad.a", a.Grad);
        _check.Matches("matmul.ab.grad.b", b.Grad);
    }

    [Fact]
    public void Gemm_with_transposed_b_matches_pytorch()
    {
        Tensor y = Tensor.Zeros(4, 5);
        CpuCompute.Default.Gemm(y, Data.Get("a"), Transpose.No, Data.Get("bt"), Transpose.Yes);
        _check.Matches("matmul.abt", y);
    }

    [Fact]
    public void Gemm_with_transposed_a_matches_pytorch()
    {
        Tensor y = Tensor.Zeros(7, 5);
        CpuCompute.Default.Gemm(y, Data.Get("a"), Transpose.Yes, Data.Get("c"), Transpose.No);
        _check.Matches("matmul.atc", y);
    }
}
