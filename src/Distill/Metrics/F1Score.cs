namespace TinyKd.Distill.Metrics;

/// <summary>
/// Per-class precision, recall and F1 and their macro average, from a confusion matrix (rows = true class,
/// columns = predicted class) or from predictions and labels. See <see cref="ClassScores"/> for the zero conventions.
/// </summary>
public static class F1Score
{
    /// <summary>The per-class scores of a [C, C] confusion matrix as built by <see cref="ConfusionMatrix.Compute"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is not square, is empty, or holds a negative count.</exception>
    public static ClassScores PerClass(int[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = confusion.GetLength(0);
        if (classes == 0 || confusion.GetLength(1) != classes)
            throw new ArgumentException(
                $"'{nameof(confusion)}' must be a non-empty square matrix; got [{classes}, {confusion.GetLength(1)}].", nameof(confusion));
        var support = new int[classes];
        var predicted = new int[classes];
        for (int t = 0; t < classes; t++)
        {
            for (int p = 0; p < classes; p++)
            {
                int count = confusion[t, p];
                if (count < 0)
                    throw new ArgumentException($"'{nameof(confusion)}'[{t}, {p}] is negative ({count}).", nameof(confusion));
                support[t] += count;
                predicted[p] += count;
            }
        }
        var precision = new double[classes];
        var recall = new double[classes];
        var f1 = new double[classes];
        var truePositives = new int[classes];
        for (int c = 0; c < classes; c++)
        {
            truePositives[c] = confusion[c, c];
            precision[c] = predicted[c] == 0 ? 0 : (double)truePositives[c] / predicted[c];
            recall[c] = support[c] == 0 ? 0 : (double)truePositives[c] / support[c];
            double sum = precision[c] + recall[c];
            f1[c] = sum == 0 ? 0 : 2 * precision[c] * recall[c] / sum;
        }
        return new ClassScores(precision, recall, f1, support, predicted, truePositives);
    }

    /// <summary>The per-class scores of <paramref name="predictions"/> against <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">As for <see cref="ConfusionMatrix.Compute"/>.</exception>
    public static ClassScores PerClass(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels, int classes) =>
        PerClass(ConfusionMatrix.Compute(predictions, labels, classes));

    /// <summary>The macro-averaged F1 of a confusion matrix (see <see cref="ClassScores.MacroF1"/>).</summary>
    /// <exception cref="ArgumentException">As for <see cref="PerClass(int[,])"/>.</exception>
    public static double Macro(int[,] confusion) => PerClass(confusion).MacroF1;

    /// <summary>The macro-averaged F1 of <paramref name="predictions"/> against <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">As for <see cref="ConfusionMatrix.Compute"/>.</exception>
    public static double Macro(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels, int classes) =>
        PerClass(predictions, labels, classes).MacroF1;
}
