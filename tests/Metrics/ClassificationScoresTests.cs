using TinyKd.Distill.Metrics;

namespace TinyKd.Tests.Metrics;

public class ClassificationScoresTests
{
    // Rows = true class: 6 of class 0 (5 right), 4 of class 1 (2 right).
    private static readonly int[,] Confusion = { { 5, 1 }, { 2, 2 } };

    [Fact]
    public void Mcc_matches_the_binary_formula_by_hand()
    {
        // TP 2, TN 5, FP 1, FN 2: (2·5 − 1·2) / √(3·4·6·7).
        Assert.Equal(8 / Math.Sqrt(3 * 4 * 6 * 7), ClassificationScores.MatthewsCorrelation(Confusion), 12);
    }

    [Fact]
    public void Mcc_is_zero_when_one_class_is_always_predicted_and_one_for_a_perfect_three_class_matrix()
    {
        Assert.Equal(0, ClassificationScores.MatthewsCorrelation(new[,] { { 6, 0 }, { 4, 0 } }));
        Assert.Equal(1, ClassificationScores.MatthewsCorrelation(new[,] { { 3, 0, 0 }, { 0, 2, 0 }, { 0, 0, 5 } }), 12);
    }

    [Fact]
    public void Balanced_accuracy_is_the_mean_recall_of_the_present_classes()
    {
        Assert.Equal((5.0 / 6 + 2.0 / 4) / 2, ClassificationScores.BalancedAccuracy(Confusion), 12);
        Assert.Equal((1.0 + 0.5) / 2, ClassificationScores.BalancedAccuracy(new[,] { { 2, 0, 0 }, { 0, 0, 0 }, { 1, 0, 1 } }), 12);
    }

    [Fact]
    public void Log_loss_clips_a_zero_probability_and_skips_unlabelled_rows()
    {
        float[] probabilities = [0.8f, 0.2f, 0.4f, 0.6f, 1f, 0f, 0.5f, 0.5f];
        double expected = -(Math.Log(0.8f) + Math.Log(0.4f) + Math.Log(1e-15)) / 3;
        Assert.Equal(expected, ClassificationScores.LogLoss(probabilities, 2, [0, 0, 1, -1]), 9);
    }

    // A label past the last class would read the next row's probability (or past the end on the last row).
    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    public void Log_loss_and_Brier_reject_a_label_outside_the_classes_naming_it(int label)
    {
        float[] probabilities = [0.8f, 0.2f, 0.4f, 0.6f];
        foreach (Func<double> metric in new Func<double>[]
        {
            () => ClassificationScores.LogLoss(probabilities, 2, [0, label]),
            () => BrierScore.MultiClass(probabilities, 2, [0, label]),
        })
            Assert.Contains($"'labels'[1] is {label}", Assert.Throws<ArgumentException>(() => metric()).Message);
    }

    [Fact]
    public void An_empty_confusion_matrix_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => ClassificationScores.MatthewsCorrelation(new int[2, 2]));
        Assert.Throws<ArgumentException>(() => ClassificationScores.BalancedAccuracy(new int[2, 3]));
    }
}
