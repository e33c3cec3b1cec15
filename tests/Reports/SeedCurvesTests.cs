using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

public class SeedCurvesTests
{
    [Fact]
    public void Mean_averages_each_epoch_over_the_seeds_that_reached_it()
    {
        var mean = SeedCurves.Mean([[0.5, 0.7, 0.8], [0.55, 0.75]]);

        Assert.Equal([0.525, 0.725, 0.8], mean, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Mean_skips_values_that_are_not_finite_and_is_NaN_where_none_is()
    {
        var mean = SeedCurves.Mean([[double.NaN, 0.4], [double.NaN, double.PositiveInfinity]]);

        Assert.True(double.IsNaN(mean[0]));
        Assert.Equal(0.4, mean[1]);
    }

    [Fact]
    public void Mean_of_no_curve_is_empty()
    {
        Assert.Empty(SeedCurves.Mean([]));
    }
}
