using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>The mean of some per-user values and a confidence interval around it.</summary>
/// <param name="Mean">The mean of the values themselves (not of the resamples).</param>
/// <param name="Low">The lower end of the interval.</param>
/// <param name="High">The upper end of the interval.</param>
public readonly record struct BootstrapInterval(double Mean, double Low, double High);

/// <summary>
/// The percentile bootstrap of a mean over users (the recipe: 1000 resamples with replacement, 95%, seed 20181).
/// Each resample draws n indices with <see cref="Rng.NextInt"/> from one generator seeded once, so the interval
/// depends only on the values, the resample count, the level and the seed.
/// </summary>
public static class Bootstrap
{
    /// <summary>The recipe's resample count.</summary>
    public const int DefaultResamples = 1000;

    /// <summary>The recipe's confidence level.</summary>
    public const double DefaultLevel = 0.95;

    /// <summary>The recipe's fixed seed.</summary>
    public const ulong DefaultSeed = 20181;

    /// <summary>
    /// The mean of <paramref name="values"/> and the percentile interval of the means of
    /// <paramref name="resamples"/> resamples: the (1 − level)/2 and (1 + level)/2 quantiles of the resampled means,
    /// interpolated linearly between order statistics (NumPy's default quantile).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Empty or NaN values, fewer than 1 resample, or a level outside (0, 1).
    /// </exception>
    public static BootstrapInterval Interval(
        ReadOnlySpan<double> values, int resamples = DefaultResamples, double level = DefaultLevel, ulong seed = DefaultSeed)
    {
        if (values.IsEmpty) throw new ArgumentException($"'{nameof(values)}' is empty; a bootstrap needs at least one user.", nameof(values));
        if (resamples < 1) throw new ArgumentException($"'{nameof(resamples)}' must be at least 1; got {resamples}.", nameof(resamples));
        if (!(level > 0 && level < 1)) throw new ArgumentException($"'{nameof(level)}' must lie in (0, 1); got {level}.", nameof(level));
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i])) throw new ArgumentException($"'{nameof(values)}'[{i}] is NaN.", nameof(values));
            sum += values[i];
        }
        int n = values.Length;
        var rng = new Rng(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double resampled = 0;
            for (int i = 0; i < n; i++) resampled += values[rng.NextInt(n)];
            means[r] = resampled / n;
        }
        Array.Sort(means);
        return new BootstrapInterval(sum / n, Quantile(means, (1 - level) / 2), Quantile(means, (1 + level) / 2));
    }

    // sorted: ascending; q in [0, 1].
    private static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int below = (int)Math.Floor(h);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
    }
}
