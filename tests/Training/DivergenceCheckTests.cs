using TinyKd.Autograd;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Tests.Training;

public class DivergenceCheckTests
{
    private static (string, Variable)[] Weights(params float[] values) => [("w", Variable.Parameter(Tensor.FromArray(values, values.Length)))];

    [Fact]
    public void A_falling_loss_with_finite_weights_is_not_divergence() =>
        Assert.Null(DivergenceCheck.Reason([1.2, 0.8, 0.5], 2.3, true, Weights(1f, -2f)));

    [Fact]
    public void A_non_finite_weight_is_divergence_naming_the_parameter() =>
        Assert.Contains("'w'", DivergenceCheck.Reason([1.2, 0.8], 2.3, true, Weights(1f, float.PositiveInfinity)));

    [Fact]
    public void A_last_epoch_above_the_first_is_divergence() =>
        Assert.Contains("first epoch's", DivergenceCheck.Reason([1.2, 0.8, 1.5], 2.3, true, Weights(1f)));

    [Fact]
    public void A_falling_loss_still_above_the_untrained_model_is_divergence() =>
        Assert.Contains("untrained model's", DivergenceCheck.Reason([3.7e14, 4.4e12], 2.3, true, Weights(1f)));

    [Fact]
    public void Losses_that_a_schedule_makes_incomparable_are_not_compared() =>
        Assert.Null(DivergenceCheck.Reason([1.2, 5.0], 2.3, false, Weights(1f)));
}
