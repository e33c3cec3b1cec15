using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

// GradCheck itself: a NaN or ∞ compares false with every tolerance, so these pin that a non-finite gradient on
// either side is a failure, named as such, and never a pass.
public class GradCheckFailureTests
{
    [Fact]
    public void GradCheck_of_division_by_zero_fails()
    {
        var zero = Variable.Constant(Tensor.Zeros(new Shape(3)));
        var result = GradCheck.Check(v => Ops.Divide(v[0], zero), [Check.Random(1, 0.5f, 1, 2, 3)]);
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.NonFinite, result.ToString());
        Assert.Contains("non-finite analytic and numeric", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_fails_when_only_the_analytic_gradient_is_NaN()
    {
        // The identity with a backward that writes NaN into dx: the numeric derivative is a plain 1·r.
        static void NaNBackward(in TapeEntry e, Graph g) => g.Backend.Fill(g.GradOf(e.A!), float.NaN);
        static Variable NaNGradientIdentity(Variable x)
        {
            Graph g = x.Graph!;
            Variable y = g.Result(x.Shape, true);
            g.Backend.Axpby(y.Data, x.Data, 1f, 0f);
            if (Graph.Records(x)) g.Record(new TapeEntry(NaNBackward, y, x));
            return y;
        }
        var result = GradCheck.Check(v => NaNGradientIdentity(v[0]), [Check.Random(2, -1, 1, 2, 3)]);
        Assert.False(result.Passed, result.ToString());
        Assert.True(double.IsNaN(result.Analytic), result.ToString());
        Assert.True(double.IsFinite(result.Numeric), result.ToString());
        Assert.Contains("non-finite analytic gradient", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_fails_when_only_the_numeric_gradient_is_infinite()
    {
        // y = s·x with s just under float.MaxValue: finite at x = 1 with a finite analytic s·r, but x + h overflows
        // to ±∞, so the central difference is infinite.
        const float s = float.MaxValue / 1.0005f;
        var result = GradCheck.Check(v => Ops.Scale(v[0], s), [Tensor.FromArray([1f], 1)]);
        Assert.False(result.Passed, result.ToString());
        Assert.True(double.IsFinite(result.Analytic), result.ToString());
        Assert.True(double.IsInfinity(result.Numeric), result.ToString());
        Assert.Contains("non-finite numeric gradient", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_fails_on_a_non_finite_element_after_finite_ones_that_pass()
    {
        // y = s·x near float's overflow at x = [0.5, 1]: element 0's derivatives are finite and agree, only
        // element 1's step overflows; the passing element must not hide it.
        const float s = float.MaxValue / 1.0005f;
        var result = GradCheck.Check(v => Ops.Scale(v[0], s), [Tensor.FromArray([0.5f, 1f], 2)]);
        Assert.False(result.Passed, result.ToString());
        Assert.Equal(1, result.WorstElement);
        Assert.True(result.NonFinite, result.ToString());
    }
}
