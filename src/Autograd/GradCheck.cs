using System.Globalization;
using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>The outcome of a <see cref="GradCheck"/>: the worst disagreement between analytic and numeric gradients.</summary>
/// <param name="Passed">True when every element was finite and within tolerance.</param>
/// <param name="MaxAbsoluteError">The largest |analytic − numeric|; NaN or ∞ when a gradient there is not finite.</param>
/// <param name="WorstInput">Index of the input holding the worst element.</param>
/// <param name="WorstElement">Flat index of the worst element.</param>
/// <param name="Analytic">The analytic derivative there.</param>
/// <param name="Numeric">The numeric derivative there.</param>
public readonly record struct GradCheckResult(bool Passed, double MaxAbsoluteError, int WorstInput, int WorstElement, double Analytic, double Numeric)
{
    /// <summary>True when the reported element's analytic or numeric derivative is NaN or ±∞, which always fails.</summary>
    public bool NonFinite => !double.IsFinite(Analytic) || !double.IsFinite(Numeric);

    /// <summary>A one-line description for test failures; it names a non-finite gradient and which side produced it.</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0}: {1}worst at input {2}[{3}]: analytic {4:G6} vs numeric {5:G6} (|diff| {6:G3})",
        Passed ? "passed" : "FAILED", NonFiniteSides(), WorstInput, WorstElement, Analytic, Numeric, MaxAbsoluteError);

    private string NonFiniteSides() => (double.IsFinite(Analytic), double.IsFinite(Numeric)) switch
    {
        (false, false) => "non-finite analytic and numeric gradients, ",
        (false, true) => "non-finite analytic gradient, ",
        (true, false) => "non-finite numeric gradient, ",
        _ => "",
    };
}

/// <summary>
/// Finite-difference gradient checking. The function's output y (any shape) is reduced to the scalar
/// L = Σ r∘y with fixed random weights r, accumulated in double; the analytic ∂L/∂x comes from one backward pass
/// seeded with r, the numeric one from central differences (L(x + h) − L(x − h)) / 2h per input element, where h
/// is the float step actually taken. This tests every output element's gradient at once, with double-precision
/// reductions limiting the error to float32 rounding of the op itself.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks <paramref name="function"/> at <paramref name="inputs"/> (which are perturbed and restored). An
    /// element passes when both derivatives are finite and |analytic − numeric| ≤ atol + rtol·|numeric|; the result
    /// reports the first non-finite element if there is one, otherwise the element furthest beyond its tolerance.
    /// </summary>
    public static GradCheckResult Check(Func<Variable[], Variable> function, Tensor[] inputs,
        double epsilon = 1e-3, double absoluteTolerance = 1e-3, double relativeTolerance = 1e-2, ulong seed = 1) =>
        Check(function, function, inputs, epsilon, absoluteTolerance, relativeTolerance, seed);

    /// <summary>
    /// Checks an op whose backward is defined as another function's derivative — a straight-through estimator — at
    /// <paramref name="inputs"/>: the analytic gradient comes from <paramref name="function"/>'s backward, the numeric one
    /// from central differences of <paramref name="surrogate"/>, the smooth function whose derivative the estimator
    /// claims to be (for fake quantization: the identity, clamped where the codes clamp). Choose inputs away from the
    /// surrogate's kinks. Tolerances and failure on non-finite values as <see cref="Check(Func{Variable[], Variable}, Tensor[], double, double, double, ulong)"/>.
    /// </summary>
    public static GradCheckResult Check(Func<Variable[], Variable> function, Func<Variable[], Variable> surrogate, Tensor[] inputs,
        double epsilon = 1e-3, double absoluteTolerance = 1e-3, double relativeTolerance = 1e-2, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(surrogate);
        ArgumentNullException.ThrowIfNull(inputs);
        var graph = new Graph(inputs.Length > 0 ? inputs[0].Backend : null);

        Variable y = function(inputs.Select(t => graph.Input(t, requiresGrad: true)).ToArray());
        var weights = new float[y.Data.Length];
        var rng = new Rng(seed);
        rng.FillUniform(weights, -1f, 1f);
        var rTensor = Tensor.Zeros(y.Shape, graph.Backend);
        graph.Backend.CopyFromHost(rTensor, weights);

        var variables = new Variable[inputs.Length];
        graph.Reset();
        for (int i = 0; i < inputs.Length; i++) variables[i] = graph.Input(inputs[i], requiresGrad: true);
        y = function(variables);
        graph.Backward(y, rTensor);
        double[][] analytic = variables.Select(v => v.Grad.IsEmpty ? new double[v.Data.Length] : v.Grad.ToArray().Select(f => (double)f).ToArray()).ToArray();

        var worst = new GradCheckResult(true, 0, -1, -1, 0, 0);
        double worstExcess = double.NegativeInfinity;
        for (int i = 0; i < inputs.Length; i++)
        {
            float[] values = inputs[i].ToArray();
            for (int j = 0; j < values.Length; j++)
            {
                float original = values[j];
                float plus = (float)(original + epsilon), minus = (float)(original - epsilon);
                double lPlus = Evaluate(surrogate, graph, inputs, i, j, values, plus, weights);
                double lMinus = Evaluate(surrogate, graph, inputs, i, j, values, minus, weights);
                values[j] = original;
                graph.Backend.CopyFromHost(inputs[i], values);
                double numeric = (lPlus - lMinus) / ((double)plus - minus);
                double error = Math.Abs(analytic[i][j] - numeric);
                // A NaN compares false with everything, so it would never become the worst: rank it above any error.
                double excess = double.IsFinite(analytic[i][j]) && double.IsFinite(numeric)
                    ? error - (absoluteTolerance + relativeTolerance * Math.Abs(numeric))
                    : double.PositiveInfinity;
                if (excess > worstExcess)
                {
                    worstExcess = excess;
                    worst = new GradCheckResult(excess <= 0, error, i, j, analytic[i][j], numeric);
                }
            }
        }
        return worst with { Passed = worstExcess <= 0 };
    }

    private static double Evaluate(Func<Variable[], Variable> function, Graph graph, Tensor[] inputs, int input, int element,
        float[] values, float value, float[] weights)
    {
        values[element] = value;
        graph.Backend.CopyFromHost(inputs[input], values);
        graph.Reset();
        using var _ = GradMode.NoGrad();
        float[] output = function(inputs.Select(t => graph.Input(t)).ToArray()).Data.ToArray();
        double sum = 0;
        for (int k = 0; k < output.Length; k++) sum += (double)weights[k] * output[k];
        return sum;
    }
}
