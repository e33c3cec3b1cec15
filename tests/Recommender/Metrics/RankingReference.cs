using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender.Metrics;

/// <summary>
/// The ranking metrics computed the slow, literal way: sort the candidates (score descending; on equal scores
/// negatives before positives, positives in list order), then read every metric off the explicit ranking.
/// </summary>
internal static class RankingReference
{
    public static double[] Compute(float[] scores, int[] excluded, int[] positives, int[] cutOffs)
    {
        var isPositive = new HashSet<int>(positives);
        var candidates = Enumerable.Range(0, scores.Length).Where(i => !excluded.Contains(i)).ToList();
        var ordered = candidates
            .OrderByDescending(i => scores[i])
            .ThenBy(i => isPositive.Contains(i) ? 1 : 0)
            .ThenBy(i => Array.IndexOf(positives, i))
            .ToList();
        var rank = positives.ToDictionary(p => p, p => ordered.IndexOf(p) + 1);
        var negatives = candidates.Where(i => !isPositive.Contains(i)).ToList();

        double pairs = 0;
        foreach (int p in positives)
        {
            foreach (int n in negatives) pairs += scores[p] > scores[n] ? 1 : scores[p] == scores[n] ? 0.5 : 0;
        }
        var values = new List<double> { pairs / (positives.Length * negatives.Count) };
        foreach (int k in cutOffs)
        {
            var hits = positives.Where(p => rank[p] <= k).ToList();
            int ideal = Math.Min(positives.Length, k);
            double idealDcg = Enumerable.Range(1, ideal).Sum(i => 1 / Math.Log2(i + 1));
            values.Add(hits.Count > 0 ? 1 : 0);
            values.Add(hits.Count / (double)positives.Length);
            values.Add(hits.Sum(p => 1 / Math.Log2(rank[p] + 1)) / idealDcg);
            values.Add(hits.Sum(p => positives.Count(q => rank[q] <= rank[p]) / (double)rank[p]) / ideal);
        }
        values.Add(1.0 / positives.Min(p => rank[p]));
        return values.ToArray();
    }

    public static double[] Metrics(RankingMetrics metrics, float[] scores, int[] excluded, int[] positives, int user = 0)
    {
        var values = new double[metrics.Names.Count];
        metrics.Compute(user, scores, excluded, positives, values);
        return values;
    }

    public static void AssertClose(double[] expected, double[] actual, IReadOnlyList<string> names, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > 1e-12)
                Assert.Fail($"{what} {names[i]}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
