namespace TinyKd.Distill.Metrics;

/// <summary>
/// Scores that stay honest on imbalanced classes: log-loss from the probabilities, balanced accuracy and the
/// (multi-class) Matthews correlation coefficient from a confusion matrix. Unlabelled rows (label −1) are left out.
/// </summary>
public static class ClassificationScores
{
    /// <summary>The smallest probability log-loss takes the logarithm of (as scikit-learn clips), so a confident miss costs ~34.5, not ∞.</summary>
    public const double MinimumProbability = 1e-15;

    /// <summary>
    /// The mean negative log-probability of the true class over the labelled rows of <paramref name="probabilities"/>
    /// ([N, C] row-major), each clipped to at least <see cref="MinimumProbability"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A probability count other than N × C, a label outside [0, C) other than −1,
    /// or no labelled row.</exception>
    public static double LogLoss(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        MetricChecks.Matrix(probabilities, classes, labels, nameof(probabilities));
        int labelled = MetricChecks.LabelledRows(labels, classes, "Log-loss");
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= 0) sum -= Math.Log(Math.Max(probabilities[i * classes + labels[i]], MinimumProbability));
        return sum / labelled;
    }

    /// <summary>The mean recall over the classes that occur (rows of <paramref name="confusion"/> with support).</summary>
    /// <exception cref="ArgumentException">The matrix is not square or holds no example.</exception>
    public static double BalancedAccuracy(int[,] confusion)
    {
        int classes = CheckSquare(confusion);
        double sum = 0;
        int present = 0;
        for (int t = 0; t < classes; t++)
        {
            long support = 0;
            for (int p = 0; p < classes; p++) support += confusion[t, p];
            if (support == 0) continue;
            sum += (double)confusion[t, t] / support;
            present++;
        }
        return sum / present;
    }

    /// <summary>
    /// The Matthews correlation coefficient of <paramref name="confusion"/> (rows = true class), Gorodkin's
    /// multi-class form: (c·s − Σ pₖtₖ) / √((s² − Σ pₖ²)(s² − Σ tₖ²)) with c correct, s total, pₖ predicted and tₖ true
    /// counts of class k. In [−1, 1]; 0 when a denominator factor is 0 (one class predicted or present), as scikit-learn.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not square or holds no example.</exception>
    public static double MatthewsCorrelation(int[,] confusion)
    {
        int classes = CheckSquare(confusion);
        var predicted = new double[classes];
        var actual = new double[classes];
        double correct = 0, total = 0;
        for (int t = 0; t < classes; t++)
        {
            for (int p = 0; p < classes; p++)
            {
                predicted[p] += confusion[t, p];
                actual[t] += confusion[t, p];
                total += confusion[t, p];
            }
            correct += confusion[t, t];
        }
        double cross = 0, predictedSquares = 0, actualSquares = 0;
        for (int k = 0; k < classes; k++)
        {
            cross += predicted[k] * actual[k];
            predictedSquares += predicted[k] * predicted[k];
            actualSquares += actual[k] * actual[k];
        }
        double denominator = Math.Sqrt((total * total - predictedSquares) * (total * total - actualSquares));
        return denominator == 0 ? 0 : (correct * total - cross) / denominator;
    }

    private static int CheckSquare(int[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = confusion.GetLength(0);
        if (classes != confusion.GetLength(1))
            throw new ArgumentException($"A confusion matrix must be square; got {classes} × {confusion.GetLength(1)}.", nameof(confusion));
        long total = 0;
        foreach (int count in confusion) total += count;
        if (total == 0) throw new ArgumentException("The confusion matrix holds no example.", nameof(confusion));
        return classes;
    }
}
