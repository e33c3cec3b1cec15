using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

public class RocAucTests
{
    [Fact]
    public void Binary_AUC_matches_the_scikit_learn_documentation_example()
    {
        Assert.Equal(0.75, RocAuc.Binary([0.1f, 0.4f, 0.35f, 0.8f], [0, 0, 1, 1]), 12);
    }

    [Fact]
    public void Binary_AUC_counts_a_tied_positive_negative_pair_as_one_half()
    {
        // Pairs (positive, negative): (0.5, 0.5) ½, (0.5, 0.2) 1, (0.9, 0.5) 1, (0.9, 0.2) 1 → 3.5 / 4.
        Assert.Equal(0.875, RocAuc.Binary([0.5f, 0.5f, 0.2f, 0.9f], [1, 0, 0, 1]), 12);
    }

    [Fact]
    public void Binary_AUC_of_constant_scores_is_one_half()
    {
        Assert.Equal(0.5, RocAuc.Binary([0.3f, 0.3f, 0.3f, 0.3f, 0.3f], [1, 0, 0, 1, 0]), 12);
    }

    [Fact]
    public void Binary_AUC_rejects_labels_of_a_single_class()
    {
        var e = Assert.Throws<ArgumentException>(() => RocAuc.Binary([0.1f, 0.2f], [1, 1]));

        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void Binary_AUC_rejects_a_label_other_than_zero_or_one()
    {
        var e = Assert.Throws<ArgumentException>(() => RocAuc.Binary([0.1f, 0.2f], [0, 2]));

        Assert.Equal("labels", e.ParamName);
        Assert.Contains("[1] is 2", e.Message);
    }

    [Fact]
    public void Binary_AUC_rejects_a_length_mismatch_naming_the_scores()
    {
        var e = Assert.Throws<ArgumentException>(() => RocAuc.Binary([0.1f], [0, 1]));

        Assert.Equal("scores", e.ParamName);
    }

    [Fact]
    public void One_vs_rest_macro_AUC_averages_the_per_class_AUCs()
    {
        float[] p =
        [
            0.7f, 0.2f, 0.1f,
            0.2f, 0.6f, 0.2f,
            0.3f, 0.3f, 0.4f,
            0.5f, 0.1f, 0.4f,
        ];

        // Class 0: 1; class 1: positives 0.6, 0.1 vs 0.2, 0.3 → 2/4; class 2: 0.4 vs 0.1, 0.2, 0.4 → 2.5/3.
        Assert.Equal(7.0 / 9, RocAuc.OneVsRestMacro(p, 3, [0, 1, 2, 1]), 12);
    }

    [Fact]
    public void One_vs_rest_macro_AUC_skips_a_class_absent_from_the_labels()
    {
        float[] p =
        [
            0.7f, 0.2f, 0.1f,
            0.2f, 0.6f, 0.2f,
            0.6f, 0.3f, 0.1f,
            0.5f, 0.1f, 0.4f,
        ];

        // Class 0: positives 0.7, 0.6 vs 0.2, 0.5 → 1; class 1: positives 0.6, 0.1 vs 0.2, 0.3 → 2/4; class 2 absent.
        Assert.Equal(0.75, RocAuc.OneVsRestMacro(p, 3, [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void One_vs_rest_macro_AUC_rejects_a_probability_matrix_of_the_wrong_size()
    {
        var e = Assert.Throws<ArgumentException>(() => RocAuc.OneVsRestMacro([0.5f, 0.5f, 0.5f], 2, [0, 1]));

        Assert.Equal("probabilities", e.ParamName);
    }
}
