using System.Globalization;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Parity;

/// <summary>
/// Compares TinyKd results with the tensors of one PyTorch fixture under the parity rule
/// |expected − actual| ≤ 1e-7 + 1e-5·|expected| (relative error ≤ 1e-5; the small absolute term only matters for
/// values near zero, such as the gradients of a dead ReLU unit), and logs the margin of every comparison.
/// </summary>
internal sealed class ParityCheck(Fixture fixture, ITestOutputHelper output)
{
    /// <summary>The largest relative error the parity tests allow.</summary>
    public const double RelativeTolerance = 1e-5;

    /// <summary>The absolute allowance added for values near zero (float32 rounding of cancelling sums).</summary>
    public const double AbsoluteTolerance = 1e-7;

    /// <summary>The fixture the expected values come from.</summary>
    public Fixture Fixture => fixture;

    /// <summary>Asserts that <paramref name="actual"/> matches tensor <paramref name="name"/> in shape and values.</summary>
    public void Matches(string name, Tensor actual)
    {
        Tensor expected = fixture.Get(name);
        Assert.True(expected.Shape == actual.Shape, $"{fixture.Name}/{name}: shape {actual.Shape}, PyTorch has {expected.Shape}");
        Compare(name, expected.ToArray(), actual.ToArray());
    }

    /// <summary>Asserts that the scalar <paramref name="actual"/> matches the one-element tensor <paramref name="name"/>.</summary>
    public void Matches(string name, float actual) => Compare(name, [fixture.Scalar(name)], [actual]);

    private void Compare(string name, float[] expected, float[] actual)
    {
        double worstRelative = 0, worstAbsolute = 0;
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            worstAbsolute = Math.Max(worstAbsolute, diff);
            if (expected[i] != 0f) worstRelative = Math.Max(worstRelative, diff / Math.Abs(expected[i]));
        }
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}/{1}: worst relative error {2:E2}, worst |diff| {3:E2}",
            fixture.Name, name, worstRelative, worstAbsolute));
        Check.Close(expected, actual, AbsoluteTolerance, RelativeTolerance, $"{fixture.Name}/{name}");
    }
}
