using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

public class F1ScoreTests
{
    [Fact]
    public void Per_class_scores_match_a_hand_computed_example()
    {
        // Class 0: TP 1 of 1 predicted, 2 actual → P 1, R 1/2, F1 2/3. Class 1: TP 2 of 3 predicted, 2 actual → P 2/3, R 1, F1 4/5.
        var s = F1Score.PerClass(predictions: [0, 1, 1, 1], labels: [0, 0, 1, 1], classes: 3);

        Assert.Equal([1.0, 2.0 / 3, 0], s.Precision, Close);
        Assert.Equal([0.5, 1.0, 0], s.Recall, Close);
        Assert.Equal([2.0 / 3, 0.8, 0], s.F1, Close);
        Assert.Equal([2, 2, 0], s.Support);
    }

    [Fact]
    public void Macro_F1_skips_a_class_absent_from_both_labels_and_predictions()
    {
        double macro = F1Score.Macro(predictions: [0, 1, 1, 1], labels: [0, 0, 1, 1], classes: 3);

        Assert.Equal((2.0 / 3 + 0.8) / 2, macro, 12);
    }

    [Fact]
    public void Macro_F1_counts_a_predicted_class_absent_from_the_labels_as_zero()
    {
        // Class 0: P 1, R 1/2 → 2/3; class 1: perfect → 1; class 2: predicted once, never true → 0.
        double macro = F1Score.Macro(predictions: [0, 2, 1], labels: [0, 0, 1], classes: 3);

        Assert.Equal((2.0 / 3 + 1 + 0) / 3, macro, 12);
    }

    [Fact]
    public void Per_class_scores_reject_a_non_square_matrix()
    {
        var e = Assert.Throws<ArgumentException>(() => F1Score.PerClass(new int[2, 3]));

        Assert.Equal("confusion", e.ParamName);
    }

    [Fact]
    public void Macro_F1_rejects_a_length_mismatch_naming_the_predictions()
    {
        var e = Assert.Throws<ArgumentException>(() => F1Score.Macro([0], [0, 1], 2));

        Assert.Equal("predictions", e.ParamName);
    }

    [Fact]
    public void Micro_F1_pools_the_counts_and_equals_the_accuracy()
    {
        // 2 of 4 correct (TP pooled 2, predicted 4, support 4) → P = R = F1 = ½.
        var s = F1Score.PerClass(predictions: [0, 1, 1, 2], labels: [0, 0, 1, 1], classes: 3);

        Assert.Equal(0.5, s.MicroF1, 12);
    }

    [Fact]
    public void Weighted_F1_weights_each_class_by_its_support()
    {
        // Labels 0,0,0,1: class 0 P 1 R ⅔ F1 0.8 (support 3); class 1 P ½ R 1 F1 ⅔ (support 1).
        var s = F1Score.PerClass(predictions: [0, 0, 1, 1], labels: [0, 0, 0, 1], classes: 2);

        Assert.Equal((3 * 0.8 + 1 * 2.0 / 3) / 4, s.WeightedF1, 12);
        Assert.Equal((0.8 + 2.0 / 3) / 2, s.MacroF1, 12);
    }

    [Fact]
    public void Scores_for_one_positive_class_are_its_row_of_the_table()
    {
        var s = F1Score.PerClass(predictions: [0, 0, 1, 1], labels: [0, 0, 0, 1], classes: 2);

        var positive = s.ForClass(1);

        Assert.Equal(new PositiveClassScores(0.5, 1, 2.0 / 3, 1), positive);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.ForClass(2));
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) < 1e-12;
}
