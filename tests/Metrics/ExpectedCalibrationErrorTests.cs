using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

public class ExpectedCalibrationErrorTests
{
    // Confidences 0.9 (right), 0.85 (wrong), 0.65 (wrong), 0.55 (right); the true class is always 0.
    private static readonly float[] Probabilities = [0.9f, 0.1f, 0.15f, 0.85f, 0.35f, 0.65f, 0.55f, 0.45f];
    private static readonly int[] Labels = [0, 0, 0, 0];

    [Fact]
    public void ECE_with_five_bins_matches_a_hand_computed_example()
    {
        // (0.8, 1]: 2 examples, accuracy ½, confidence 0.875 → 2/4 · 0.375; (0.6, 0.8]: 1 · 0.65 / 4; (0.4, 0.6]: 1 · 0.45 / 4.
        double expected = 0.5 * 0.375 + 0.25 * 0.65 + 0.25 * 0.45;

        Assert.Equal(expected, ExpectedCalibrationError.Compute(Probabilities, 2, Labels, bins: 5), 6);
    }

    [Fact]
    public void ECE_defaults_to_fifteen_bins_of_Guo_et_al()
    {
        // With 15 bins every example has a bin of its own: (0.1 + 0.85 + 0.65 + 0.45) / 4.
        Assert.Equal(0.5125, ExpectedCalibrationError.Compute(Probabilities, 2, Labels), 6);
    }

    [Fact]
    public void ECE_of_confident_correct_predictions_is_zero()
    {
        Assert.Equal(0, ExpectedCalibrationError.Compute([1f, 0f, 0f, 1f], 2, [0, 1]), 12);
    }

    [Fact]
    public void ECE_rejects_fewer_than_one_bin()
    {
        var e = Assert.Throws<ArgumentException>(() => ExpectedCalibrationError.Compute(Probabilities, 2, Labels, bins: 0));

        Assert.Equal("bins", e.ParamName);
    }

    [Fact]
    public void ECE_rejects_empty_labels()
    {
        var e = Assert.Throws<ArgumentException>(() => ExpectedCalibrationError.Compute([], 2, []));

        Assert.Equal("labels", e.ParamName);
    }
}
