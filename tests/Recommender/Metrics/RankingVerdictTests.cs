using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Metrics;

public class RankingVerdictTests
{
    // values[seed][user] = uniform [0, 1) per user plus shift(seed, user).
    private static double[][] Table(ulong seed, int seeds, int users, Func<int, int, double> shift)
    {
        var rng = new Rng(seed);
        var table = new double[seeds][];
        for (int s = 0; s < seeds; s++)
        {
            table[s] = new double[users];
            for (int u = 0; u < users; u++) table[s][u] = rng.NextDouble() * 0.2 + shift(s, u);
        }
        return table;
    }

    private static double[][] Plus(double[][] table, Func<int, int, double> shift) =>
        table.Select((row, s) => row.Select((v, u) => v + shift(s, u)).ToArray()).ToArray();

    [Fact]
    public void Gain_and_seed_spread_by_hand()
    {
        // Differences: seed 0 [0.1, 0.2, 0], seed 1 [0, 0.3, 0]; both seeds gain 0.1, so the spread is 0.
        double[][] alone = [[0.1, 0.2, 0.3], [0.2, 0.2, 0.2]];
        double[][] distilled = [[0.2, 0.4, 0.3], [0.2, 0.5, 0.2]];

        var c = RankingVerdict.Compare(alone, distilled);

        Assert.Equal(0.1, c.Gain, 12);
        Assert.Equal(0, c.SeedSpread, 12);
        Assert.Equal([0.1, 0.1], c.SeedGains.Select(g => Math.Round(g, 12)));
        Assert.Equal(Bootstrap.Interval([0.05, 0.25, 0.0]).Low, c.Low, 12);
    }

    [Fact]
    public void A_clear_gain_wins()
    {
        var alone = Table(seed: 21, seeds: 3, users: 300, (s, u) => 0.3);
        var distilled = Plus(alone, (s, u) => 0.05 + 0.01 * s + 0.02 * (u % 3));

        var c = RankingVerdict.Compare(alone, distilled);

        Assert.Equal(Verdict.Wins, c.Verdict);
        Assert.True(c.Low > 0 && c.Gain > c.SeedSpread, $"seed 21: {c}");
        Assert.Equal(0.05 + 0.01 + 0.02 * (1.0 * (100 * 0 + 100 * 1 + 100 * 2) / 300), c.Gain, 12);
    }

    [Fact]
    public void A_clear_loss_loses()
    {
        var alone = Table(seed: 22, seeds: 3, users: 300, (s, u) => 0.3);
        var distilled = Plus(alone, (s, u) => -0.05 - 0.01 * s - 0.02 * (u % 3));

        var c = RankingVerdict.Compare(alone, distilled);

        Assert.Equal(Verdict.Loses, c.Verdict);
        Assert.True(c.High < 0 && -c.Gain > c.SeedSpread, $"seed 22: {c}");
    }

    [Fact]
    public void An_interval_that_straddles_zero_ties()
    {
        // Half the users gain 0.1 and half lose 0.1 in every seed: gain 0, spread 0, interval around 0.
        var alone = Table(seed: 23, seeds: 3, users: 200, (s, u) => 0.3);
        var distilled = Plus(alone, (s, u) => u % 2 == 0 ? 0.1 : -0.1);

        var c = RankingVerdict.Compare(alone, distilled);

        Assert.Equal(Verdict.Ties, c.Verdict);
        Assert.True(c.Low < 0 && 0 < c.High, $"seed 23: {c}");
    }

    [Fact]
    public void A_seed_spread_larger_than_the_gain_ties_even_with_an_interval_above_zero()
    {
        // Seed 0 gains 0.5, seed 1 loses 0.1: every user's seed-averaged gain is 0.2 (interval [0.2, 0.2]),
        // but the per-seed gains 0.5 and −0.1 deviate by 0.42.
        var alone = Table(seed: 24, seeds: 2, users: 100, (s, u) => 0.3);
        var distilled = Plus(alone, (s, u) => s == 0 ? 0.5 : -0.1);

        var c = RankingVerdict.Compare(alone, distilled);

        Assert.Equal(Verdict.Ties, c.Verdict);
        Assert.True(c.Low > 0, $"seed 24: {c}");
        Assert.Equal(0.6 / Math.Sqrt(2), c.SeedSpread, 9);
        Assert.Equal(0.2, c.Gain, 9);
    }

    [Fact]
    public void One_seed_has_no_spread()
    {
        var alone = Table(seed: 25, seeds: 1, users: 50, (s, u) => 0.3);

        var c = RankingVerdict.Compare(alone, Plus(alone, (s, u) => 0.1));

        Assert.Equal(0, c.SeedSpread);
        Assert.Equal(Verdict.Wins, c.Verdict);
    }

    [Theory]
    [InlineData(0.2, 0.1, 0.3, 0.1, Verdict.Wins)]
    [InlineData(0.1, 0.05, 0.2, 0.1, Verdict.Ties)]   // gain not above the spread
    [InlineData(0.2, 0.0, 0.4, 0.0, Verdict.Ties)]    // low not above 0
    [InlineData(-0.2, -0.3, -0.1, 0.1, Verdict.Loses)]
    [InlineData(-0.2, -0.3, 0.0, 0.0, Verdict.Ties)]  // high not below 0
    public void The_rule_needs_both_the_interval_and_the_seed_spread(double gain, double low, double high, double spread, Verdict expected)
    {
        Assert.Equal(expected, RankingVerdict.Decide(gain, low, high, spread));
    }

    [Fact]
    public void Verdict_names_are_the_report_spellings()
    {
        Assert.Equal(["wins", "ties", "loses"], new[] { Verdict.Wins, Verdict.Ties, Verdict.Loses }.Select(RankingVerdict.Name));
    }

    [Fact]
    public void Tables_of_different_shapes_are_rejected()
    {
        double[][] alone = [[0.1, 0.2], [0.1, 0.2]];

        Check.Throws<ArgumentException>(() => RankingVerdict.Compare(alone, [[0.1, 0.2]]), "1 seeds", "2 seeds");
        Check.Throws<ArgumentException>(() => RankingVerdict.Compare(alone, [[0.1, 0.2], [0.1]]), "'distilled'[1] has 1 users");
    }

    [Fact]
    public void A_NaN_is_rejected_naming_seed_and_user()
    {
        Check.Throws<ArgumentException>(() => RankingVerdict.Compare([[0.1, double.NaN]], [[0.1, 0.2]]), "'alone'[0][1] is NaN");
    }

    [Fact]
    public void Seed_summary_by_hand()
    {
        // Per-seed means 0.5, 1, 0.5: mean 2/3, sample deviation √(1/12); per-user seed averages 0.5 and 5/6.
        double[][] perSeed = [[0, 1], [1, 1], [0.5, 0.5]];

        var summary = SeedSummary.Of(perSeed);

        Assert.Equal(2.0 / 3, summary.Mean, 12);
        Assert.Equal(Math.Sqrt(1.0 / 12), summary.Std, 12);
        Assert.Equal((0.5, 1.0), (summary.Min, summary.Max));
        Assert.Equal([0.5, 1, 0.5], summary.SeedMeans);
        var interval = Bootstrap.Interval([0.5, 5.0 / 6]);
        Assert.Equal((interval.Low, interval.High), (summary.Low, summary.High));
    }
}
