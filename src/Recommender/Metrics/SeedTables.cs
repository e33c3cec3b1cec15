namespace TinyKd.Recommender;

// Per-seed, per-user tables values[seed][user] (one row per training seed, the same users in every row):
// shape checks, per-seed means, seed-averaged per-user values and the sample deviation across seeds.
internal static class SeedTables
{
    public static void Check(IReadOnlyList<double[]> table, string parameter)
    {
        ArgumentNullException.ThrowIfNull(table, parameter);
        if (table.Count == 0) throw new ArgumentException($"'{parameter}' has no seed.", parameter);
        int users = table[0]?.Length ?? 0;
        if (users == 0) throw new ArgumentException($"'{parameter}'[0] has no user.", parameter);
        for (int s = 0; s < table.Count; s++)
        {
            if (table[s] is null || table[s].Length != users)
                throw new ArgumentException(
                    $"'{parameter}'[{s}] has {table[s]?.Length ?? 0} users; seed 0 has {users}.", parameter);
            for (int u = 0; u < users; u++)
            {
                if (double.IsNaN(table[s][u])) throw new ArgumentException($"'{parameter}'[{s}][{u}] is NaN.", parameter);
            }
        }
    }

    public static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum / values.Length;
    }

    // Seed-averaged per user: result[u] = (1/S) Σ_s table[s][u].
    public static double[] AverageOverSeeds(IReadOnlyList<double[]> table)
    {
        var average = new double[table[0].Length];
        foreach (var row in table)
        {
            for (int u = 0; u < average.Length; u++) average[u] += row[u];
        }
        for (int u = 0; u < average.Length; u++) average[u] /= table.Count;
        return average;
    }

    // Sample standard deviation (n − 1 in the denominator); 0 for a single value.
    public static double SampleStd(ReadOnlySpan<double> values)
    {
        if (values.Length < 2) return 0;
        double mean = Mean(values), squares = 0;
        foreach (double v in values) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / (values.Length - 1));
    }
}
