namespace TinyKd.Distill.Metrics;

/// <summary>The confusion matrix of a classifier: counts of (true class, predicted class) pairs.</summary>
public static class ConfusionMatrix
{
    /// <summary>
    /// A [C, C] matrix whose entry [t, p] counts the examples of true class t predicted as p: rows are true classes,
    /// columns predictions, the diagonal the correct ones.
    /// </summary>
    /// <exception cref="ArgumentException">Empty input, different lengths, <paramref name="classes"/> &lt; 1, or a class outside [0, C).</exception>
    public static int[,] Compute(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels, int classes)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        MetricChecks.NonEmpty(labels.Length, nameof(labels));
        MetricChecks.SameLength(predictions.Length, nameof(predictions), labels.Length, nameof(labels));
        MetricChecks.InRange(labels, classes, nameof(labels));
        MetricChecks.InRange(predictions, classes, nameof(predictions));
        var matrix = new int[classes, classes];
        for (int i = 0; i < labels.Length; i++) matrix[labels[i], predictions[i]]++;
        return matrix;
    }
}
