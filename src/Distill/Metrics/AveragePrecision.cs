namespace TinyKd.Distill.Metrics;

/// <summary>
/// Average precision, the area under the precision–recall curve as scikit-learn's <c>average_precision_score</c>
/// computes it: the step sum AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct scores from high to low (R₀ = 0), with no
/// interpolation — so tied scores enter as one step, whatever their order. A random scorer's AP is the positive share.
/// </summary>
public static class AveragePrecision
{
    /// <summary>The AP of <paramref name="scores"/> (higher = more positive) for 0/1 <paramref name="labels"/>, in [0, 1].</summary>
    /// <exception cref="ArgumentException">
    /// Empty input, different lengths, a NaN score, a label other than 0 or 1, or no positive (recall is then undefined).
    /// </exception>
    public static double Binary(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        var curve = PrecisionRecallCurve.Compute(scores, labels);
        // The curve runs from recall 1 down to 0; step n of the sum is between points n and n + 1.
        double sum = 0;
        for (int k = 0; k < curve.Thresholds.Length; k++)
            sum += (curve.Recall[k] - curve.Recall[k + 1]) * curve.Precision[k];
        return sum;
    }
}
