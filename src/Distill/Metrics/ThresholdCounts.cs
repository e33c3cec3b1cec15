namespace TinyKd.Distill.Metrics;

/// <summary>
/// The counts every threshold curve is built from (scikit-learn's <c>_binary_clf_curve</c>): the scores sorted from
/// high to low, and at each distinct score s (descending) the true and false positives among the rows scored ≥ s.
/// Tied scores form one threshold, so a curve never passes between two rows of equal score.
/// </summary>
internal sealed class ThresholdCounts
{
    private ThresholdCounts(float[] thresholds, long[] truePositives, long[] falsePositives)
    {
        Thresholds = thresholds;
        TruePositives = truePositives;
        FalsePositives = falsePositives;
    }

    /// <summary>The distinct scores, descending.</summary>
    public float[] Thresholds { get; }

    /// <summary>At threshold k: the positives scored ≥ Thresholds[k].</summary>
    public long[] TruePositives { get; }

    /// <summary>At threshold k: the negatives scored ≥ Thresholds[k].</summary>
    public long[] FalsePositives { get; }

    /// <summary>All positives (the last true-positive count).</summary>
    public long Positives => TruePositives[^1];

    /// <summary>All negatives (the last false-positive count).</summary>
    public long Negatives => FalsePositives[^1];

    /// <summary>The counts of <paramref name="scores"/> against 0/1 <paramref name="labels"/>, checked as every binary metric.</summary>
    public static ThresholdCounts Of(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        MetricChecks.BinaryInput(scores, labels);
        int n = labels.Length;
        var sorted = scores.ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(sorted, order);
        var thresholds = new List<float>();
        var tps = new List<long>();
        var fps = new List<long>();
        long tp = 0, fp = 0;
        for (int end = n; end > 0;)
        {
            int start = end - 1;
            while (start > 0 && sorted[start - 1] == sorted[end - 1]) start--;
            for (int k = start; k < end; k++)
            {
                if (labels[order[k]] == 1) tp++;
                else fp++;
            }
            thresholds.Add(sorted[start]);
            tps.Add(tp);
            fps.Add(fp);
            end = start;
        }
        return new ThresholdCounts(thresholds.ToArray(), tps.ToArray(), fps.ToArray());
    }
}
