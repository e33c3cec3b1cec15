using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

public class ConfusionMatrixTests
{
    [Fact]
    public void Confusion_matrix_counts_true_class_rows_against_predicted_columns()
    {
        var m = ConfusionMatrix.Compute(predictions: [0, 2, 2, 1, 1], labels: [0, 1, 2, 2, 1], classes: 3);

        Assert.Equal(new[,] { { 1, 0, 0 }, { 0, 1, 1 }, { 0, 1, 1 } }, m);
    }

    [Fact]
    public void Confusion_matrix_rejects_a_prediction_outside_the_classes()
    {
        var e = Assert.Throws<ArgumentException>(() => ConfusionMatrix.Compute([0, 3], [0, 1], 3));

        Assert.Equal("predictions", e.ParamName);
        Assert.Contains("[1] is 3", e.Message);
    }

    [Fact]
    public void Confusion_matrix_rejects_empty_input_naming_the_labels()
    {
        var e = Assert.Throws<ArgumentException>(() => ConfusionMatrix.Compute([], [], 3));

        Assert.Equal("labels", e.ParamName);
    }
}
