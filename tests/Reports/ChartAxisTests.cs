using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

public class ChartAxisTests
{
    [Theory]
    [InlineData(0.71, 0.93, new[] { 0.70, 0.75, 0.80, 0.85, 0.90, 0.95 })]
    [InlineData(52.5, 80, new[] { 50.0, 55, 60, 65, 70, 75, 80 })]
    [InlineData(0, 1, new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [InlineData(-3, 7, new[] { -4.0, -2, 0, 2, 4, 6, 8 })]
    public void Linear_ticks_are_whole_steps_of_one_two_or_five_covering_the_data(double low, double high, double[] expected)
    {
        var axis = ChartAxis.Linear(low, high);

        Assert.Equal(expected, axis.Ticks);
        Assert.Equal(expected[0], axis.Min, 12);
        Assert.Equal(expected[^1], axis.Max, 12);
    }

    [Fact]
    public void Linear_tick_labels_share_one_number_of_decimals()
    {
        var axis = ChartAxis.Linear(77.5, 90);

        Assert.Equal(["77.5", "80.0", "82.5", "85.0", "87.5", "90.0"], axis.Ticks.Select(axis.Label));
    }

    [Fact]
    public void Integer_axis_steps_by_whole_numbers()
    {
        Assert.Equal([0.0, 5, 10, 15, 20, 25, 30], ChartAxis.Linear(0, 30, ticks: 8, integer: true).Ticks);
        Assert.Equal([0.0, 1, 2], ChartAxis.Linear(0, 2, ticks: 8, integer: true).Ticks);
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0, 0)]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(double.NegativeInfinity, double.PositiveInfinity)]
    public void Linear_axis_of_degenerate_data_has_a_positive_finite_width(double low, double high)
    {
        var axis = ChartAxis.Linear(low, high);

        Assert.True(double.IsFinite(axis.Min) && double.IsFinite(axis.Max) && axis.Max > axis.Min, $"[{axis.Min}, {axis.Max}]");
        Assert.All(axis.Ticks, t => Assert.InRange(t, axis.Min, axis.Max));
        if (double.IsFinite(low)) Assert.InRange(axis.Fraction(low), 0, 1);
    }

    [Fact]
    public void Logarithmic_ticks_are_one_two_five_values_with_si_labels()
    {
        var axis = ChartAxis.Logarithmic10(101_800, 4_938_268);

        Assert.Equal(50_000, axis.Min);
        Assert.Equal(10_000_000, axis.Max);
        Assert.Equal(["50k", "100k", "200k", "500k", "1M", "2M", "5M", "10M"], axis.Ticks.Select(axis.Label));
    }

    [Fact]
    public void Logarithmic_axis_over_many_decades_keeps_powers_of_ten()
    {
        var axis = ChartAxis.Logarithmic10(10, 1e9);

        Assert.All(axis.Ticks, t => Assert.Equal(Math.Round(Math.Log10(t)), Math.Log10(t), 9));
        Assert.InRange(axis.Ticks.Count, 2, 8);
    }

    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(0, 0)]
    [InlineData(-5, 10)]
    public void Logarithmic_axis_of_degenerate_data_has_a_positive_finite_width(double low, double high)
    {
        var axis = ChartAxis.Logarithmic10(low, high);

        Assert.True(axis.Min > 0 && double.IsFinite(axis.Max) && axis.Max > axis.Min, $"[{axis.Min}, {axis.Max}]");
        Assert.True(axis.Ticks.Count >= 2);
        if (low > 0) Assert.InRange(axis.Fraction(low), 0, 1);
    }
}
