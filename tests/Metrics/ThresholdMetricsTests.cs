using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

/// <summary>Hand-computed ROC and precision–recall curves, average precision and Brier scores: ties, edge cases, bad input.</summary>
public class ThresholdMetricsTests
{
    [Fact]
    public void Roc_curve_puts_one_point_per_distinct_score_and_steps_diagonally_over_a_tie()
    {
        // Scores 0.9 (pos), 0.5 (pos), 0.5 (neg), 0.1 (neg): thresholds ∞, 0.9, 0.5, 0.1.
        var roc = RocCurve.Compute([0.5f, 0.9f, 0.1f, 0.5f], [1, 1, 0, 0]);

        Assert.Equal([float.PositiveInfinity, 0.9f, 0.5f, 0.1f], roc.Thresholds);
        Assert.Equal([0, 0, 0.5, 1], roc.FalsePositiveRate);
        Assert.Equal([0, 0.5, 1, 1], roc.TruePositiveRate);
    }

    [Fact]
    public void Precision_recall_curve_runs_from_full_recall_to_the_point_of_precision_one()
    {
        // Ascending thresholds 0.1, 0.5, 0.9: at ≥ 0.1 all four rows (2 TP) → P ½, R 1; ≥ 0.5 three rows (2 TP) → P ⅔,
        // R 1; ≥ 0.9 one row (1 TP) → P 1, R ½; then (1, 0).
        var pr = PrecisionRecallCurve.Compute([0.5f, 0.9f, 0.1f, 0.5f], [1, 1, 0, 0]);

        Assert.Equal([0.1f, 0.5f, 0.9f], pr.Thresholds);
        Assert.Equal([0.5, 2.0 / 3, 1, 1], pr.Precision);
        Assert.Equal([1, 1, 0.5, 0], pr.Recall);
    }

    [Fact]
    public void Average_precision_sums_recall_steps_times_precision()
    {
        // Steps from high to low: R 0 → ½ at P 1, R ½ → 1 at P ⅔: AP = ½ + ⅓.
        Assert.Equal(0.5 + 1.0 / 3, AveragePrecision.Binary([0.5f, 0.9f, 0.1f, 0.5f], [1, 1, 0, 0]), 12);
    }

    [Fact]
    public void Average_precision_treats_a_tie_as_one_step_whatever_the_row_order()
    {
        // All scores equal: one threshold, P = positive share ⅓, R 0 → 1.
        Assert.Equal(1.0 / 3, AveragePrecision.Binary([0.4f, 0.4f, 0.4f], [0, 1, 0]), 12);
        Assert.Equal(1.0 / 3, AveragePrecision.Binary([0.4f, 0.4f, 0.4f], [1, 0, 0]), 12);
    }

    [Fact]
    public void Average_precision_of_a_perfect_ranking_is_one_and_of_a_reversed_one_is_lower()
    {
        Assert.Equal(1.0, AveragePrecision.Binary([0.9f, 0.8f, 0.2f, 0.1f], [1, 1, 0, 0]), 12);
        // Reversed: positives at ranks 3 and 4 → P ⅓ at R ½, P ½ at R 1 → (⅓ + ½) / 2.
        Assert.Equal((1.0 / 3 + 0.5) / 2, AveragePrecision.Binary([0.1f, 0.2f, 0.8f, 0.9f], [1, 1, 0, 0]), 12);
    }

    [Fact]
    public void Average_precision_is_one_when_every_row_is_positive()
    {
        Assert.Equal(1.0, AveragePrecision.Binary([0.2f, 0.7f], [1, 1]), 12);
    }

    [Fact]
    public void Average_precision_and_PR_curve_reject_labels_without_a_positive()
    {
        var e = Assert.Throws<ArgumentException>(() => AveragePrecision.Binary([0.2f, 0.7f], [0, 0]));

        Assert.Equal("labels", e.ParamName);
        Assert.Contains("no positive", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Roc_curve_rejects_labels_of_one_class(int only)
    {
        var e = Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.2f, 0.7f], [only, only]));

        Assert.Equal("labels", e.ParamName);
        Assert.Contains("both classes", e.Message);
    }

    [Fact]
    public void Curves_reject_a_NaN_score_naming_its_index()
    {
        var e = Assert.Throws<ArgumentException>(() => PrecisionRecallCurve.Compute([0.2f, float.NaN], [0, 1]));

        Assert.Equal("scores", e.ParamName);
        Assert.Contains("[1] is NaN", e.Message);
    }

    [Fact]
    public void Curves_reject_a_label_other_than_zero_or_one()
    {
        var e = Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.2f, 0.3f], [0, 2]));

        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void Binary_Brier_score_is_the_mean_squared_error_of_the_positive_probability()
    {
        // (0.8 − 1)² + (0.3 − 0)² = 0.04 + 0.09 → mean 0.065.
        Assert.Equal(0.065, BrierScore.Binary([0.8f, 0.3f], [1, 0]), 6);
    }

    [Fact]
    public void Multi_class_Brier_score_sums_over_the_classes_and_skips_unlabelled_rows()
    {
        // Row 0, label 0: (0.7−1)² + 0.2² + 0.1² = 0.14; row 1 unlabelled; row 2, label 2: 0.5² + 0.5² + 1 = 1.5.
        float[] p = [0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f, 0.5f, 0.5f, 0f];

        Assert.Equal((0.14 + 1.5) / 2, BrierScore.MultiClass(p, 3, [0, -1, 2]), 6);
    }

    [Fact]
    public void Reported_Brier_score_of_two_classes_is_the_positive_class_form_whichever_class_is_positive()
    {
        float[] p = [0.2f, 0.8f, 0.7f, 0.3f, 0.4f, 0.6f];
        int[] labels = [1, 0, 0];
        var (class1, y1) = PositiveClass.Split(p, 2, labels, 1);
        var (class0, y0) = PositiveClass.Split(p, 2, labels, 0);

        double reported = BrierScore.Of(p, 2, labels);

        Assert.Equal(BrierScore.Binary(class1, y1), reported, 6);
        Assert.Equal(BrierScore.Binary(class0, y0), reported, 6);
        Assert.Equal(BrierScore.MultiClass(p, 2, labels) / 2, reported, 12);
    }

    [Fact]
    public void Brier_score_rejects_a_NaN_probability()
    {
        var e = Assert.Throws<ArgumentException>(() => BrierScore.MultiClass([0.5f, float.NaN], 2, [0]));

        Assert.Equal("probabilities", e.ParamName);
        Assert.Contains("[0, 1] is NaN", e.Message);
    }

    [Fact]
    public void Brier_score_rejects_input_without_a_labelled_row()
    {
        var e = Assert.Throws<ArgumentException>(() => BrierScore.MultiClass([0.5f, 0.5f], 2, [-1]));

        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void Positive_class_split_rejects_a_class_outside_the_range()
    {
        var e = Assert.Throws<ArgumentException>(() => PositiveClass.Split([0.5f, 0.5f], 2, [0], positiveClass: 2));

        Assert.Equal("positiveClass", e.ParamName);
    }
}
