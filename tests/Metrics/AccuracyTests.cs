using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

public class AccuracyTests
{
    [Fact]
    public void Accuracy_is_the_fraction_of_correct_predictions()
    {
        Assert.Equal(0.6, Accuracy.Compute([0, 1, 2, 2, 1], [0, 2, 2, 1, 1]), 12);
    }

    [Fact]
    public void Accuracy_from_scores_takes_the_arg_max_of_each_row()
    {
        float[] scores = [0.1f, 0.9f, 0.8f, 0.2f, 0.5f, 0.5f];

        Assert.Equal(2.0 / 3, Accuracy.FromScores(scores, 2, [1, 1, 0]), 12);
    }

    [Fact]
    public void ArgMax_sends_ties_to_the_lowest_class()
    {
        Assert.Equal([2, 0], Predictions.ArgMax([0f, 1f, 3f, 4f, 4f, 1f], 3));
    }

    [Fact]
    public void Accuracy_rejects_empty_input_naming_the_labels()
    {
        var e = Assert.Throws<ArgumentException>(() => Accuracy.Compute([], []));

        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void Accuracy_rejects_a_length_mismatch_naming_the_predictions()
    {
        var e = Assert.Throws<ArgumentException>(() => Accuracy.Compute([0, 1], [0, 1, 1]));

        Assert.Equal("predictions", e.ParamName);
        Assert.Contains("2 elements", e.Message);
    }

    [Fact]
    public void Accuracy_from_scores_rejects_a_matrix_of_the_wrong_size_naming_the_scores()
    {
        var e = Assert.Throws<ArgumentException>(() => Accuracy.FromScores([0.1f, 0.9f, 0.3f], 2, [1, 0]));

        Assert.Equal("scores", e.ParamName);
    }
}
