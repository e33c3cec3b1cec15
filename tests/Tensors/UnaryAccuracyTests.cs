using TinyKd.Tensors;

namespace TinyKd.Tests.Tensors;

// Elementwise activations against double precision over a wide range, tiny magnitudes included.
public class UnaryAccuracyTests
{
    private static readonly float[] Inputs = BuildInputs();

    private static float[] BuildInputs()
    {
        var values = new List<float>();
        for (float v = -10f; v <= 10f; v += 0.37f) values.Add(v);
        foreach (float tiny in new[] { 1.341e-7f, 1e-5f, 2e-3f, 1e-2f }) { values.Add(tiny); values.Add(-tiny); }
        return [.. values];
    }

    [Theory]
    [InlineData(UnaryOp.Tanh)]
    [InlineData(UnaryOp.Sigmoid)]
    [InlineData(UnaryOp.Relu)]
    public void Unary_op_matches_double_precision_within_float_rounding(UnaryOp op)
    {
        var x = Tensor.FromArray(Inputs, Inputs.Length);
        var y = Tensor.Zeros(Inputs.Length);
        CpuCompute.Default.Unary(op, y, x);
        float[] actual = y.ToArray();
        for (int i = 0; i < Inputs.Length; i++)
        {
            double v = Inputs[i];
            double expected = op switch
            {
                UnaryOp.Tanh => Math.Tanh(v),
                UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
                _ => Math.Max(v, 0),
            };
            double tolerance = 2e-6 * Math.Abs(expected) + 1e-37;
            Assert.True(Math.Abs(actual[i] - expected) <= tolerance,
                $"{op}({v:R}) = {actual[i]:R}, expected {expected:R} (relative error {Math.Abs(actual[i] - expected) / Math.Abs(expected):G3})");
        }
    }
}

public class GeluAccuracyTests
{
    // erf by its Maclaurin series in double: exact to ~1e-13 for |x| ≤ 3, independent of SpecialFunctions.
    private static double ErfSeries(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Fact]
    public void Gelu_matches_an_independent_erf_series_on_minus_4_to_4()
    {
        var inputs = Enumerable.Range(0, 161).Select(i => -4f + i * 0.05f).ToArray();
        var y = Tensor.Zeros(inputs.Length);
        CpuCompute.Default.Unary(UnaryOp.Gelu, y, Tensor.FromArray(inputs, inputs.Length));
        float[] actual = y.ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            double v = inputs[i];
            double expected = v * 0.5 * (1 + ErfSeries(v / Math.Sqrt(2)));
            Assert.True(Math.Abs(actual[i] - expected) <= 2e-6 * Math.Abs(expected) + 1e-7, $"gelu({v}) = {actual[i]:R}, expected {expected:R}");
        }
    }
}
