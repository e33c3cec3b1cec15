using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Metrics;

public class BootstrapTests
{
    private static double[] Uniform(ulong seed, int count)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble()).ToArray();
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_another_seed_another()
    {
        var values = Uniform(seed: 1, 300);

        var first = Bootstrap.Interval(values);
        var again = Bootstrap.Interval(values);
        var other = Bootstrap.Interval(values, seed: 2);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(first.Mean, other.Mean);
    }

    [Fact]
    public void The_interval_contains_the_mean_of_the_values()
    {
        var values = Uniform(seed: 3, 500);

        var interval = Bootstrap.Interval(values);

        Assert.Equal(values.Average(), interval.Mean, 12);
        Assert.True(interval.Low < interval.Mean && interval.Mean < interval.High, $"seed 3: {interval}");
    }

    [Fact]
    public void The_interval_narrows_with_more_users()
    {
        var few = Bootstrap.Interval(Uniform(seed: 4, 50));
        var many = Bootstrap.Interval(Uniform(seed: 4, 5000));

        // The width shrinks as 1/√n: ten times more users, about a third of the width.
        Assert.True(many.High - many.Low < 0.5 * (few.High - few.Low), $"seed 4: {few} vs {many}");
    }

    [Fact]
    public void Two_users_zero_and_one_give_the_whole_range_at_95_percent()
    {
        // A resampled mean is 0, ½ or 1 with probabilities ¼, ½, ¼; the 2.5% and 97.5% quantiles are 0 and 1.
        var interval = Bootstrap.Interval([0.0, 1.0]);

        Assert.Equal(new BootstrapInterval(0.5, 0, 1), interval);
    }

    [Fact]
    public void Equal_values_give_a_zero_width_interval()
    {
        Assert.Equal(new BootstrapInterval(0.25, 0.25, 0.25), Bootstrap.Interval([0.25, 0.25, 0.25, 0.25]));
    }

    [Fact]
    public void Empty_values_are_rejected()
    {
        var e = Check.Throws<ArgumentException>(() => Bootstrap.Interval([]), "empty");

        Assert.Equal("values", e.ParamName);
    }

    [Fact]
    public void A_NaN_value_is_rejected_naming_its_index()
    {
        Check.Throws<ArgumentException>(() => Bootstrap.Interval([0.1, double.NaN]), "[1] is NaN");
    }

    [Fact]
    public void A_level_outside_zero_and_one_is_rejected()
    {
        Check.Throws<ArgumentException>(() => Bootstrap.Interval([0.1, 0.2], level: 1), "level");
    }
}
