namespace TinyKd.Distill.Reports;

/// <summary>Averages a model's per-seed training curves into the one line a chart draws.</summary>
internal static class SeedCurves
{
    /// <summary>
    /// The mean at each epoch over the seeds that reached it (early stopping makes curves of different lengths, so
    /// the tail averages fewer seeds), skipping values that are not finite; NaN where no seed has a finite value.
    /// The result is as long as the longest curve.
    /// </summary>
    public static IReadOnlyList<double> Mean(IReadOnlyList<IReadOnlyList<double>> curves)
    {
        int epochs = curves.Count == 0 ? 0 : curves.Max(c => c.Count);
        var mean = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            double sum = 0;
            int count = 0;
            foreach (var curve in curves)
            {
                if (e >= curve.Count || !double.IsFinite(curve[e])) continue;
                sum += curve[e];
                count++;
            }
            mean[e] = count == 0 ? double.NaN : sum / count;
        }
        return mean;
    }
}
