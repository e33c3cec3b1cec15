namespace TinyKd.Distill.Metrics;

/// <summary>
/// The receiver operating characteristic of a binary scorer, thresholded at every distinct score as scikit-learn's
/// <c>roc_curve(drop_intermediate=False)</c>: point 0 is (0, 0) at threshold +∞, then one point per distinct score s,
/// descending, with FPR = FP(≥ s) / negatives and TPR = TP(≥ s) / positives; the last point is (1, 1).
/// </summary>
public sealed class RocCurve
{
    private RocCurve(double[] falsePositiveRate, double[] truePositiveRate, float[] thresholds)
    {
        FalsePositiveRate = falsePositiveRate;
        TruePositiveRate = truePositiveRate;
        Thresholds = thresholds;
    }

    /// <summary>False-positive rate of each point, non-decreasing from 0 to 1.</summary>
    public double[] FalsePositiveRate { get; }

    /// <summary>True-positive rate (recall) of each point, non-decreasing from 0 to 1.</summary>
    public double[] TruePositiveRate { get; }

    /// <summary>The threshold of each point (a row is called positive when its score ≥ it): +∞, then the distinct scores descending.</summary>
    public float[] Thresholds { get; }

    /// <summary>The number of points (distinct scores + 1).</summary>
    public int Count => Thresholds.Length;

    /// <summary>The curve of <paramref name="scores"/> (higher = more positive) against 0/1 <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Empty input, different lengths, a NaN score, a label other than 0 or 1, or only one class present (a rate would
    /// divide by zero).
    /// </exception>
    public static RocCurve Compute(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        var counts = ThresholdCounts.Of(scores, labels);
        if (counts.Positives == 0 || counts.Negatives == 0)
            throw new ArgumentException(
                $"'{nameof(labels)}' holds only {(counts.Positives == 0 ? "negatives" : "positives")}; a ROC curve needs both classes.", nameof(labels));
        int points = counts.Thresholds.Length + 1;
        var fpr = new double[points];
        var tpr = new double[points];
        var thresholds = new float[points];
        thresholds[0] = float.PositiveInfinity;
        for (int k = 1; k < points; k++)
        {
            fpr[k] = (double)counts.FalsePositives[k - 1] / counts.Negatives;
            tpr[k] = (double)counts.TruePositives[k - 1] / counts.Positives;
            thresholds[k] = counts.Thresholds[k - 1];
        }
        return new RocCurve(fpr, tpr, thresholds);
    }
}
