namespace TinyKd.Recommender;

/// <summary>
/// Full-ranking evaluation of a model over a list of users: the users are scored in batches, and each user's row
/// is ranked by <see cref="RankingMetrics"/> against that user's excluded items and positives.
/// </summary>
public static class RankingEvaluator
{
    /// <summary>The number of users scored per call of the scorer unless told otherwise.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>
    /// Evaluates the users in <paramref name="users"/>, in that order, calling <paramref name="scorer"/> on batches of
    /// up to <paramref name="batchSize"/> users. The score buffer is filled with NaN before each call, so a row the
    /// scorer leaves unwritten is reported like a NaN score.
    /// </summary>
    /// <param name="users">Distinct user ids to evaluate.</param>
    /// <param name="itemCount">The number of items; each scored row has this many entries.</param>
    /// <param name="scorer">Fills [batch, <paramref name="itemCount"/>] scores for a batch of users.</param>
    /// <param name="excluded">A user's non-candidate items (e.g. Seen(u) and the held-out item of the other split).</param>
    /// <param name="positives">A user's relevant items (at least one, none excluded).</param>
    /// <param name="cutOffs">The cut-offs K (default 5, 10, 20).</param>
    /// <param name="batchSize">Users per scorer call, at least 1.</param>
    /// <exception cref="ArgumentException">
    /// A non-positive item count or batch size, a user listed twice, or any per-user fault that
    /// <see cref="RankingMetrics.Compute"/> rejects (no positive, an excluded positive, an item out of range, a NaN score).
    /// </exception>
    public static RankingResult Evaluate(
        IReadOnlyList<int> users, int itemCount, UserScorer scorer, UserItems excluded, UserItems positives,
        IReadOnlyList<int>? cutOffs = null, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(excluded);
        ArgumentNullException.ThrowIfNull(positives);
        if (batchSize < 1) throw new ArgumentException($"'{nameof(batchSize)}' must be at least 1; got {batchSize}.", nameof(batchSize));
        var metrics = new RankingMetrics(itemCount, cutOffs);
        var table = new double[metrics.Names.Count][];
        for (int m = 0; m < table.Length; m++) table[m] = new double[users.Count];
        var ids = users.ToArray();
        var distinct = new HashSet<int>();
        foreach (int user in ids)
        {
            if (!distinct.Add(user)) throw new ArgumentException($"User {user} is listed twice.", nameof(users));
        }
        var scores = new float[(long)Math.Min(batchSize, Math.Max(ids.Length, 1)) * itemCount];
        var row = new double[metrics.Names.Count];
        for (int start = 0; start < ids.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, ids.Length - start);
            var batch = scores.AsSpan(0, count * itemCount);
            batch.Fill(float.NaN);
            scorer(ids.AsSpan(start, count), batch);
            for (int r = 0; r < count; r++)
            {
                int user = ids[start + r];
                metrics.Compute(user, batch.Slice(r * itemCount, itemCount), excluded(user), positives(user), row);
                for (int m = 0; m < row.Length; m++) table[m][start + r] = row[m];
            }
        }
        return new RankingResult(ids, metrics.Names, table);
    }
}
