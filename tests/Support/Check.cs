using System.Globalization;
using TinyKd.Tensors;

namespace TinyKd.Tests.Support;

/// <summary>Shared assertions: one closeness rule for every numeric comparison in the suite.</summary>
public static class Check
{
    /// <summary>
    /// Passes when both values are finite and |expected − actual| ≤ atol + rtol·|expected| for every element (the
    /// allowance grows with the magnitude, as llm.c's validate_result); the failure names the first bad index and
    /// both values. A NaN or ±∞ on either side fails: compared with a tolerance it would read as close to anything.
    /// </summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol = 1e-5, double rtol = 1e-5, string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (!double.IsFinite(e) || !double.IsFinite(a) || Math.Abs(e - a) > atol + rtol * Math.Abs(e))
                Assert.Fail(string.Format(CultureInfo.InvariantCulture, "{0}[{1}]: expected {2:G9}, got {3:G9} (|diff| {4:G3})",
                    what, i, e, a, Math.Abs(e - a)));
        }
    }

    /// <summary>Closeness of two tensors' values (shapes must be equal).</summary>
    public static void Close(Tensor expected, Tensor actual, double atol = 1e-5, double rtol = 1e-5, string what = "")
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Close(expected.ToArray(), actual.ToArray(), atol, rtol, what);
    }

    /// <summary>A CPU int tensor over <paramref name="values"/> (no copy): labels or indices for a seam call.</summary>
    public static IntTensor Ints(params int[] values) => IntTensor.FromArray(values);

    /// <summary>A CPU tensor of the given shape with values uniform in [lo, hi) from a seeded generator.</summary>
    public static Tensor Random(ulong seed, float lo, float hi, params int[] dims)
    {
        var t = Tensor.Zeros(new Shape(dims));
        new Rng(seed).FillUniform(t.Span, lo, hi);
        return t;
    }

    /// <summary>Asserts that <paramref name="action"/> throws <typeparamref name="T"/> whose message contains every fragment.</summary>
    public static T Throws<T>(Action action, params string[] fragments) where T : Exception
    {
        var ex = Assert.ThrowsAny<T>(action);
        foreach (string f in fragments) Assert.Contains(f, ex.Message, StringComparison.Ordinal);
        return ex;
    }
}
