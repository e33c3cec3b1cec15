namespace TinyKd.Bench;

/// <summary>The check a kernel benchmark runs on its own inputs before timing: a fast wrong kernel fails the run.</summary>
internal static class Validation
{
    /// <summary>Throws unless |actual − expected| ≤ atol + rtol·|expected| everywhere; logs the worst error.</summary>
    public static void Check(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]), allowed = atol + rtol * Math.Abs(expected[i]);
            if (!(diff <= allowed))
                throw new InvalidOperationException($"{what} disagrees with the reference at {i}: expected {expected[i]}, got {actual[i]}.");
            if (diff > 0) worst = Math.Max(worst, diff / allowed);
        }
        Console.WriteLine($"// Validated {what}: worst error {worst:P0} of the allowance (atol {atol:E0}, rtol {rtol:E0}).");
    }
}
