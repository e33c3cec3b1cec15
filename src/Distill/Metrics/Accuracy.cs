namespace TinyKd.Distill.Metrics;

/// <summary>Top-1 accuracy: the fraction of examples whose predicted class is the true one.</summary>
public static class Accuracy
{
    /// <summary>The fraction of positions where <paramref name="predictions"/> equals <paramref name="labels"/>, in [0, 1].</summary>
    /// <exception cref="ArgumentException">Empty input or different lengths.</exception>
    public static double Compute(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels)
    {
        MetricChecks.NonEmpty(labels.Length, nameof(labels));
        MetricChecks.SameLength(predictions.Length, nameof(predictions), labels.Length, nameof(labels));
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predictions[i] == labels[i]) correct++;
        }
        return (double)correct / labels.Length;
    }

    /// <summary>
    /// The accuracy of the arg-max of each row of <paramref name="scores"/> ([N, C] row-major logits or
    /// probabilities) against <paramref name="labels"/> (N).
    /// </summary>
    /// <exception cref="ArgumentException">Empty input, or a score count other than N × C.</exception>
    public static double FromScores(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        MetricChecks.Matrix(scores, classes, labels, nameof(scores));
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (Predictions.ArgMaxRow(scores.Slice(i * classes, classes)) == labels[i]) correct++;
        }
        return (double)correct / labels.Length;
    }
}
