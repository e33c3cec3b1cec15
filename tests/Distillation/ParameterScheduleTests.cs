using TinyKd.Distill.Distillation;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Distillation;

public class ParameterScheduleTests
{
    [Theory]
    [InlineData("4", 0.0, 4f)]
    [InlineData("4", 1.0, 4f)]
    [InlineData("linear:8:2", 0.0, 8f)]
    [InlineData("linear:8:2", 0.5, 5f)]
    [InlineData("linear:8:2", 1.0, 2f)]
    [InlineData("cosine:8:2", 0.0, 8f)]
    [InlineData("cosine:8:2", 0.5, 5f)]
    [InlineData("cosine:8:2", 1.0, 2f)]
    [InlineData("cosine:0.9:0.5", 0.25, 0.84142137f)]
    public void Parsed_schedules_give_the_value_at_each_point_of_the_run(string text, double progress, float expected) =>
        Assert.Equal(expected, ParameterSchedule.Parse(text).At(progress), 5);

    [Theory]
    [InlineData("hot")]
    [InlineData("linear:8")]
    [InlineData("constant:1:2")]
    [InlineData("linear:a:1")]
    public void Malformed_schedules_are_rejected_naming_the_text(string text) =>
        Check.Throws<FormatException>(() => ParameterSchedule.Parse(text), $"'{text}'");

    [Fact]
    public void Options_reject_a_temperature_schedule_that_reaches_zero_and_alpha_beyond_one()
    {
        Check.Throws<ArgumentOutOfRangeException>(() => new DistillationOptions { Temperature = ParameterSchedule.Parse("linear:4:0") }.Validate(), "temperature");
        Check.Throws<ArgumentOutOfRangeException>(() => new DistillationOptions { Alpha = ParameterSchedule.Parse("linear:0.5:1.2") }.Validate(), "α");
    }
}
