namespace TinyKd.Recommender;

/// <summary>
/// One model's metric over several training seeds on the same users: the mean over seeds of the per-seed means,
/// their sample deviation, extremes, and the bootstrap interval of the seed-averaged per-user values (the report's
/// "mean", "std", "low", "high", "seeds").
/// </summary>
/// <param name="Mean">The mean over seeds of the per-seed means over users.</param>
/// <param name="Std">The sample standard deviation of the per-seed means (n − 1); 0 with one seed.</param>
/// <param name="Min">The smallest per-seed mean.</param>
/// <param name="Max">The largest per-seed mean.</param>
/// <param name="Low">The lower end of the bootstrap interval of the seed-averaged per-user values.</param>
/// <param name="High">The upper end of that interval.</param>
/// <param name="SeedMeans">The per-seed means over users, in seed order.</param>
public sealed record SeedSummary(double Mean, double Std, double Min, double Max, double Low, double High, IReadOnlyList<double> SeedMeans)
{
    /// <summary>
    /// Summarises <paramref name="perSeed"/>[seed][user] (the same users, in the same order, in every row); the
    /// interval is <see cref="Bootstrap.Interval"/> of the per-user values averaged over the seeds.
    /// </summary>
    /// <exception cref="ArgumentException">No seed, no user, rows of different lengths, a NaN, or bad bootstrap settings.</exception>
    public static SeedSummary Of(
        IReadOnlyList<double[]> perSeed, int resamples = Bootstrap.DefaultResamples, double level = Bootstrap.DefaultLevel,
        ulong seed = Bootstrap.DefaultSeed)
    {
        SeedTables.Check(perSeed, nameof(perSeed));
        var seedMeans = new double[perSeed.Count];
        for (int s = 0; s < seedMeans.Length; s++) seedMeans[s] = SeedTables.Mean(perSeed[s]);
        var interval = Bootstrap.Interval(SeedTables.AverageOverSeeds(perSeed), resamples, level, seed);
        return new SeedSummary(
            SeedTables.Mean(seedMeans), SeedTables.SampleStd(seedMeans), seedMeans.Min(), seedMeans.Max(),
            interval.Low, interval.High, Array.AsReadOnly(seedMeans));
    }
}
