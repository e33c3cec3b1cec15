using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

// Every differentiable op against central finite differences, on several shapes including batch 1 and odd sizes.
public class GradCheckTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 1, 7 }, { 3, 5 }, { 4, 17 } };

    private static void AssertGradients(Func<Variable[], Variable> f, params Tensor[] inputs)
    {
        var result = GradCheck.Check(f, inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Linear_gradients_match_finite_differences(int b, int n) =>
        AssertGradients(v => Ops.Linear(v[0], v[1], v[2]),
            Check.Random(1, -1, 1, b, n), Check.Random(2, -1, 1, 3, n), Check.Random(3, -1, 1, 3));

    [Theory, MemberData(nameof(Shapes))]
    public void LinearRelu_gradients_match_finite_differences(int b, int n)
    {
        // Weights of 0 and a bias of ±0.3 keep every pre-activation 0.3 from the kink at the point checked, which the
        // finite differences (steps of 1e-3 on x, W and b) cannot cross.
        Tensor x = Check.Random(1, -1, 1, b, n), w = Check.Random(2, -1e-4f, 1e-4f, 3, n), bias = Tensor.FromArray([0.3f, -0.3f, 0.3f], 3);
        AssertGradients(v => Ops.LinearRelu(v[0], v[1], v[2]), x, w, bias);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void LinearRelu_equals_Linear_then_Relu_in_value_and_gradients(int b, int n)
    {
        Tensor x = Check.Random(31, -1, 1, b, n), w = Check.Random(32, -1, 1, 4, n), bias = Check.Random(33, -1, 1, 4);
        Tensor dy = Check.Random(34, -1, 1, b, 4);
        (float[] Y, float[][] Grads) Run(Func<Variable, Variable, Variable, Variable> f)
        {
            var g = new Graph();
            Variable vx = g.Input(Tensor.FromArray(x.ToArray(), x.Shape), requiresGrad: true);
            Variable vw = Variable.Parameter(Tensor.FromArray(w.ToArray(), w.Shape)), vb = Variable.Parameter(Tensor.FromArray(bias.ToArray(), bias.Shape));
            Variable y = f(vx, vw, vb);
            g.Backward(y, dy);
            return (y.Data.ToArray(), [vx.Grad.ToArray(), vw.Grad.ToArray(), vb.Grad.ToArray()]);
        }
        var fused = Run((vx, vw, vb) => Ops.LinearRelu(vx, vw, vb));
        var separate = Run((vx, vw, vb) => Ops.Relu(Ops.Linear(vx, vw, vb)));
        Assert.Equal(separate.Y, fused.Y);
        for (int i = 0; i < 3; i++) Assert.Equal(separate.Grads[i], fused.Grads[i]);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void MatMul_gradients_match_finite_differences(int m, int k) =>
        AssertGradients(v => Ops.MatMul(v[0], v[1]), Check.Random(4, -1, 1, m, k), Check.Random(5, -1, 1, k, 3));

    [Theory, MemberData(nameof(Shapes))]
    public void Add_with_bias_broadcast_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Add(v[0], v[1]), Check.Random(6, -1, 1, b, n), Check.Random(7, -1, 1, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Subtract_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Subtract(v[0], v[1]), Check.Random(8, -1, 1, b, n), Check.Random(9, -1, 1, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Multiply_with_row_broadcast_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Multiply(v[0], v[1]), Check.Random(10, -1, 1, b, n), Check.Random(11, -1, 1, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Multiply_with_scalar_broadcast_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Multiply(v[0], v[1]), Check.Random(12, -1, 1, b, n), Check.Random(13, -1, 1, 1));

    [Theory, MemberData(nameof(Shapes))]
    public void Divide_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Divide(v[0], v[1]), Check.Random(14, -1, 1, b, n), Check.Random(15, 0.5f, 2f, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Scale_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Scale(v[0], -2.5f), Check.Random(16, -1, 1, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Relu_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Relu(v[0]), AwayFromZero(Check.Random(17, -1, 1, b, n)));

    [Theory, MemberData(nameof(Shapes))]
    public void LeakyRelu_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.LeakyRelu(v[0], 0.1f), AwayFromZero(Check.Random(18, -1, 1, b, n)));

    [Theory, MemberData(nameof(Shapes))]
    public void Tanh_gradients_match(int b, int n) => AssertGradients(v => Ops.Tanh(v[0]), Check.Random(19, -2, 2, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Sigmoid_gradients_match(int b, int n) => AssertGradients(v => Ops.Sigmoid(v[0]), Check.Random(20, -3, 3, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Gelu_gradients_match(int b, int n) => AssertGradients(v => Ops.Gelu(v[0]), Check.Random(21, -3, 3, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Dropout_gradients_match_with_a_fixed_mask(int b, int n) =>
        AssertGradients(v => Ops.Dropout(v[0], 0.3f, training: true, seed: 7, stream: 2), Check.Random(22, -1, 1, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Softmax_with_temperature_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.Softmax(v[0], 2.5f), Check.Random(23, -3, 3, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void LogSoftmax_with_temperature_gradients_match(int b, int n) =>
        AssertGradients(v => Ops.LogSoftmax(v[0], 0.7f), Check.Random(24, -3, 3, b, n));

    [Theory, MemberData(nameof(Shapes))]
    public void Sum_and_mean_gradients_match(int b, int n)
    {
        AssertGradients(v => Ops.Sum(v[0]), Check.Random(25, -1, 1, b, n));
        AssertGradients(v => Ops.Mean(v[0]), Check.Random(26, -1, 1, b, n));
        AssertGradients(v => Ops.Sum(v[0], 0), Check.Random(27, -1, 1, b, n));
        AssertGradients(v => Ops.Mean(v[0], -1), Check.Random(28, -1, 1, b, n));
    }

    [Fact]
    public void Mean_over_the_middle_axis_of_rank_3_gradients_match() =>
        AssertGradients(v => Ops.Mean(v[0], 1), Check.Random(29, -1, 1, 2, 3, 4));

    [Theory, MemberData(nameof(Shapes))]
    public void Reshape_and_transpose_gradients_match(int b, int n)
    {
        AssertGradients(v => Ops.Reshape(v[0], n, b), Check.Random(30, -1, 1, b, n));
        AssertGradients(v => Ops.Transpose(v[0]), Check.Random(31, -1, 1, b, n));
    }

    [Fact]
    public void Concat_gradients_match_on_both_axes()
    {
        AssertGradients(v => Ops.Concat(1, v[0], v[1], v[2]), Check.Random(32, -1, 1, 3, 2), Check.Random(33, -1, 1, 3, 5), Check.Random(34, -1, 1, 3, 1));
        AssertGradients(v => Ops.Concat(0, v[0], v[1]), Check.Random(35, -1, 1, 1, 4), Check.Random(36, -1, 1, 2, 4));
    }

    [Fact]
    public void A_variable_used_twice_gets_both_contributions() =>
        AssertGradients(v => Ops.Multiply(v[0], v[0]) + Ops.Tanh(v[0]), Check.Random(37, -1, 1, 3, 4));

    [Fact]
    public void A_two_layer_network_gradients_match() =>
        AssertGradients(v => Ops.Linear(Ops.Gelu(Ops.Linear(v[0], v[1], v[2])), v[3], null),
            Check.Random(38, -1, 1, 2, 5), Check.Random(39, -1, 1, 4, 5), Check.Random(40, -1, 1, 4), Check.Random(41, -1, 1, 3, 4));

    // ReLU's kink at 0 makes finite differences meaningless there; keep samples a step away from it.
    private static Tensor AwayFromZero(Tensor t)
    {
        foreach (ref float v in t.Span) if (MathF.Abs(v) < 0.05f) v = v < 0 ? -0.05f : 0.05f;
        return t;
    }
}
