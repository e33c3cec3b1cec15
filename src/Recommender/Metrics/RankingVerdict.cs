namespace TinyKd.Recommender;

/// <summary>The comparison of a distilled student with the same student alone on one metric and one user group.</summary>
/// <param name="Gain">Mean over users of the seed-averaged per-user difference (distilled − alone).</param>
/// <param name="Low">The lower end of the bootstrap interval of the gain.</param>
/// <param name="High">The upper end of that interval.</param>
/// <param name="SeedSpread">The sample standard deviation of the per-seed mean gains; 0 with one seed.</param>
/// <param name="Verdict">The recipe's verdict from the four numbers above.</param>
/// <param name="SeedGains">The per-seed mean gains, in seed order.</param>
public sealed record RankingComparison(
    double Gain, double Low, double High, double SeedSpread, Verdict Verdict, IReadOnlyList<double> SeedGains);

/// <summary>
/// The recipe's verdict of a distilled student against the same student alone: per user, the difference of the
/// two models averaged over the training seeds; the gain is its mean over users, with a percentile bootstrap
/// interval over users; the seed spread is the sample deviation of the per-seed mean gains. The student
/// <b>wins</b> if low &gt; 0 and gain &gt; spread, <b>loses</b> if high &lt; 0 and −gain &gt; spread, else <b>ties</b>.
/// </summary>
public static class RankingVerdict
{
    /// <summary>
    /// Compares <paramref name="distilled"/>[seed][user] with <paramref name="alone"/>[seed][user]: the same seeds and
    /// the same users in the same order in both.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// No seed or user, different shapes, a NaN (named by seed and user), or bad bootstrap settings.
    /// </exception>
    public static RankingComparison Compare(
        IReadOnlyList<double[]> alone, IReadOnlyList<double[]> distilled, int resamples = Bootstrap.DefaultResamples,
        double level = Bootstrap.DefaultLevel, ulong seed = Bootstrap.DefaultSeed)
    {
        SeedTables.Check(alone, nameof(alone));
        SeedTables.Check(distilled, nameof(distilled));
        if (alone.Count != distilled.Count || alone[0].Length != distilled[0].Length)
            throw new ArgumentException(
                $"'{nameof(distilled)}' is [{distilled.Count} seeds, {distilled[0].Length} users]; " +
                $"'{nameof(alone)}' is [{alone.Count} seeds, {alone[0].Length} users].", nameof(distilled));
        int seeds = alone.Count, users = alone[0].Length;
        var differences = new double[seeds][];
        var seedGains = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            differences[s] = new double[users];
            for (int u = 0; u < users; u++) differences[s][u] = distilled[s][u] - alone[s][u];
            seedGains[s] = SeedTables.Mean(differences[s]);
        }
        var interval = Bootstrap.Interval(SeedTables.AverageOverSeeds(differences), resamples, level, seed);
        double spread = SeedTables.SampleStd(seedGains);
        return new RankingComparison(
            interval.Mean, interval.Low, interval.High, spread, Decide(interval.Mean, interval.Low, interval.High, spread),
            Array.AsReadOnly(seedGains));
    }

    /// <summary>The verdict rule on its own: wins if low &gt; 0 and gain &gt; spread; loses if high &lt; 0 and −gain &gt; spread; else ties.</summary>
    public static Verdict Decide(double gain, double low, double high, double seedSpread)
    {
        if (low > 0 && gain > seedSpread) return Verdict.Wins;
        if (high < 0 && -gain > seedSpread) return Verdict.Loses;
        return Verdict.Ties;
    }

    /// <summary>The report's spelling of a verdict: "wins", "ties" or "loses".</summary>
    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Wins => "wins",
        Verdict.Ties => "ties",
        Verdict.Loses => "loses",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Not a verdict."),
    };
}
