namespace TinyKd.Distill.Metrics;

/// <summary>
/// The Brier score (Brier 1950): the mean squared distance between the predicted probabilities and the one-hot truth,
/// lower is better. Two forms are in use, and they differ by a factor of 2 on two classes:
/// <list type="bullet">
/// <item><see cref="MultiClass"/>: mean over rows of Σ_c (p_c − y_c)², in [0, 2] (Brier's original definition;
/// scikit-learn's <c>brier_score_loss</c> on more than two classes).</item>
/// <item><see cref="Binary"/>: mean over rows of (p − y)² for the positive class only, in [0, 1] (scikit-learn's
/// <c>brier_score_loss</c> on two classes). With p₀ = 1 − p₁ it is the same whichever class is called positive.</item>
/// </list>
/// TinyKd reports <see cref="Of"/>: the binary form for two classes, the multi-class form otherwise.
/// </summary>
public static class BrierScore
{
    /// <summary>
    /// Mean over the labelled rows (label ≥ 0; −1 marks an unlabelled row) of Σ_c (p_c − y_c)², where
    /// <paramref name="probabilities"/> is [N, C] row-major and y the one-hot label.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A probability count other than N × C, a label outside [0, C) other than −1, a NaN probability, or no labelled row.
    /// </exception>
    public static double MultiClass(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        MetricChecks.Matrix(probabilities, classes, labels, nameof(probabilities));
        int labelled = MetricChecks.LabelledRows(labels, classes, "The Brier score");
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) continue;
            for (int c = 0; c < classes; c++)
            {
                float p = probabilities[i * classes + c];
                if (float.IsNaN(p)) throw new ArgumentException($"'{nameof(probabilities)}'[{i}, {c}] is NaN.", nameof(probabilities));
                double d = p - (labels[i] == c ? 1.0 : 0.0);
                sum += d * d;
            }
        }
        return sum / labelled;
    }

    /// <summary>Mean over the rows of (p − y)² for positive-class probabilities <paramref name="scores"/> and 0/1 <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">Empty input, different lengths, a NaN score, or a label other than 0 or 1.</exception>
    public static double Binary(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        MetricChecks.BinaryInput(scores, labels);
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double d = scores[i] - labels[i];
            sum += d * d;
        }
        return sum / labels.Length;
    }

    /// <summary>
    /// The form TinyKd reports: for two classes half of <see cref="MultiClass"/> — which, for rows summing to 1, is
    /// <see cref="Binary"/> of either class's probabilities, so the choice of positive class does not change it —
    /// and <see cref="MultiClass"/> for more. Unlabelled rows are left out.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="MultiClass"/>.</exception>
    public static double Of(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        double multiClass = MultiClass(probabilities, classes, labels);
        return classes == 2 ? multiClass / 2 : multiClass;
    }
}
