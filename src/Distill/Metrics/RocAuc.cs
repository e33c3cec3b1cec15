namespace TinyKd.Distill.Metrics;

/// <summary>
/// Area under the ROC curve, computed exactly as the Mann–Whitney statistic: the probability that a random positive
/// scores above a random negative, ties counting one half. With average ranks r over all N scores (tied scores
/// share the mean of their ranks), AUC = (Σ_{positives} r − P(P+1)/2) / (P·Q) for P positives and Q negatives.
/// </summary>
public static class RocAuc
{
    /// <summary>The AUC of <paramref name="scores"/> (higher = more positive) for 0/1 <paramref name="labels"/>, in [0, 1].</summary>
    /// <exception cref="ArgumentException">
    /// Empty input, different lengths, a NaN score, a label other than 0 or 1, or only one class present (the AUC is
    /// then undefined).
    /// </exception>
    public static double Binary(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        long positives = MetricChecks.BinaryInput(scores, labels);
        long negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            throw new ArgumentException(
                $"'{nameof(labels)}' holds only {(positives == 0 ? "negatives" : "positives")}; the AUC needs both classes.", nameof(labels));
        return FromRanks(scores, labels, positives, negatives);
    }

    /// <summary>
    /// The one-vs-rest macro AUC of a multi-class model: for each class c, the binary AUC of column c of
    /// <paramref name="probabilities"/> ([N, C] row-major) with "label = c" as positive, averaged over the classes.
    /// A class absent from <paramref name="labels"/> (or the only one present) has no AUC and is skipped.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Empty input, a probability count other than N × C, fewer than 2 classes, a label outside [0, C), a NaN, or
    /// no class with both positives and negatives.
    /// </exception>
    public static double OneVsRestMacro(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        MetricChecks.Classes(classes, 2, nameof(classes));
        MetricChecks.Matrix(probabilities, classes, labels, nameof(probabilities));
        MetricChecks.InRange(labels, classes, nameof(labels));
        int n = labels.Length;
        var counts = new long[classes];
        foreach (int label in labels) counts[label]++;
        var column = new float[n];
        var binary = new int[n];
        double sum = 0;
        int scored = 0;
        for (int c = 0; c < classes; c++)
        {
            if (counts[c] == 0 || counts[c] == n) continue;
            for (int i = 0; i < n; i++)
            {
                column[i] = probabilities[i * classes + c];
                if (float.IsNaN(column[i]))
                    throw new ArgumentException($"'{nameof(probabilities)}'[{i}, {c}] is NaN.", nameof(probabilities));
                binary[i] = labels[i] == c ? 1 : 0;
            }
            sum += FromRanks(column, binary, counts[c], n - counts[c]);
            scored++;
        }
        if (scored == 0)
            throw new ArgumentException($"'{nameof(labels)}' holds a single class; a one-vs-rest AUC needs at least two.", nameof(labels));
        return sum / scored;
    }

    // Mann–Whitney U from average ranks; labels are 0/1 and both classes are present.
    private static double FromRanks(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, long positives, long negatives)
    {
        int n = scores.Length;
        var sorted = scores.ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(sorted, order);
        double positiveRankSum = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && sorted[end] == sorted[start]) end++;
            double averageRank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) positiveRankSum += labels[order[k]] * averageRank;
            start = end;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }
}
