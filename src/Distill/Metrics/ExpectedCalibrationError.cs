namespace TinyKd.Distill.Metrics;

/// <summary>
/// Expected calibration error (Naeini et al. 2015; Guo et al. 2017, "On Calibration of Modern Neural Networks"):
/// each example's confidence is its largest predicted probability and its prediction that class; the confidences are
/// split into M equal-width bins B_m = ((m−1)/M, m/M] (a confidence of 0 goes to the first bin), and
/// ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|, empty bins contributing nothing. Guo et al. use M = 15.
/// </summary>
public static class ExpectedCalibrationError
{
    /// <summary>The bin count of Guo et al. (2017).</summary>
    public const int DefaultBins = 15;

    /// <summary>
    /// The ECE of <paramref name="probabilities"/> ([N, C] row-major, rows summing to 1 as from a softmax) against
    /// <paramref name="labels"/> (N), in [0, 1].
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Empty input, a probability count other than N × C, a label outside [0, C), or <paramref name="bins"/> &lt; 1.
    /// </exception>
    public static double Compute(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, int bins = DefaultBins)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        MetricChecks.Classes(bins, 1, nameof(bins));
        MetricChecks.Matrix(probabilities, classes, labels, nameof(probabilities));
        MetricChecks.InRange(labels, classes, nameof(labels));
        var count = new int[bins];
        var correct = new int[bins];
        var confidence = new double[bins];
        for (int i = 0; i < labels.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int predicted = Predictions.ArgMaxRow(row);
            double p = row[predicted];
            int bin = Math.Clamp((int)Math.Ceiling(p * bins) - 1, 0, bins - 1);
            count[bin]++;
            confidence[bin] += p;
            if (predicted == labels[i]) correct[bin]++;
        }
        double ece = 0;
        for (int m = 0; m < bins; m++)
        {
            if (count[m] == 0) continue;
            ece += Math.Abs(correct[m] - confidence[m]) / labels.Length;
        }
        return ece;
    }
}
