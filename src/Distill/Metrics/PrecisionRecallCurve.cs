namespace TinyKd.Distill.Metrics;

/// <summary>
/// Precision and recall of a binary scorer at every distinct score, in scikit-learn's order and convention
/// (<c>precision_recall_curve</c>, scikit-learn ≥ 1.1, which keeps every threshold): thresholds ascending, so recall
/// falls from 1 (at the lowest score every positive is found) to the final point (recall 0, precision 1), which has no
/// threshold. At threshold s: precision = TP(≥ s) / (TP + FP)(≥ s), recall = TP(≥ s) / positives.
/// </summary>
public sealed class PrecisionRecallCurve
{
    private PrecisionRecallCurve(double[] precision, double[] recall, float[] thresholds)
    {
        Precision = precision;
        Recall = recall;
        Thresholds = thresholds;
    }

    /// <summary>Precision of each point; the last is 1.</summary>
    public double[] Precision { get; }

    /// <summary>Recall of each point, non-increasing; the last is 0.</summary>
    public double[] Recall { get; }

    /// <summary>The distinct scores ascending: point k for k &lt; <see cref="Thresholds"/>.Length calls a row positive when its score ≥ Thresholds[k].</summary>
    public float[] Thresholds { get; }

    /// <summary>
    /// The curve of <paramref name="scores"/> (higher = more positive) against 0/1 <paramref name="labels"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Empty input, different lengths, a NaN score, a label other than 0 or 1, or no positive (recall would divide by zero).
    /// </exception>
    public static PrecisionRecallCurve Compute(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        var counts = ThresholdCounts.Of(scores, labels);
        if (counts.Positives == 0)
            throw new ArgumentException($"'{nameof(labels)}' holds no positive; precision–recall needs at least one.", nameof(labels));
        int distinct = counts.Thresholds.Length;
        var precision = new double[distinct + 1];
        var recall = new double[distinct + 1];
        var thresholds = new float[distinct];
        for (int k = 0; k < distinct; k++)
        {
            // Descending threshold k becomes ascending point distinct − 1 − k. TP + FP ≥ 1 at every threshold.
            int point = distinct - 1 - k;
            long tp = counts.TruePositives[k];
            precision[point] = (double)tp / (tp + counts.FalsePositives[k]);
            recall[point] = (double)tp / counts.Positives;
            thresholds[point] = counts.Thresholds[k];
        }
        precision[distinct] = 1;
        return new PrecisionRecallCurve(precision, recall, thresholds);
    }
}
