namespace TinyKd.Recommender;

/// <summary>
/// Full-ranking evaluation on a leave-last-out split: every item the user has not seen in training is a candidate
/// (also the other held-out item, which is excluded), and the held-out item is the one positive. The test ranking
/// excludes the validation item and the validation ranking the test item, so each sees the same candidate count.
/// </summary>
public static class RecommenderEvaluation
{
    /// <summary>Test metrics of <paramref name="model"/> over the evaluated users (or the given subset of them).</summary>
    public static RankingResult Test(RecommenderModel model, InteractionData data, IReadOnlyList<int>? users = null) =>
        Run(model, data, users, data.TestItem, data.ValidationItem);

    /// <summary>Validation metrics of <paramref name="model"/> over the evaluated users (or the given subset).</summary>
    public static RankingResult Validation(RecommenderModel model, InteractionData data, IReadOnlyList<int>? users = null) =>
        Run(model, data, users, data.ValidationItem, data.TestItem);

    private static RankingResult Run(RecommenderModel model, InteractionData data, IReadOnlyList<int>? users, int[] positive, int[] other)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model.UserCount != data.UserCount || model.ItemCount != data.ItemCount)
            throw new ArgumentException($"The model covers {model.UserCount} users × {model.ItemCount} items; the data has {data.UserCount} × {data.ItemCount}.", nameof(model));
        users ??= data.EvaluatedUsers;
        var excluded = new int[data.ItemCount + 1];
        return RankingEvaluator.Evaluate(users, data.ItemCount, model.ScoreAll,
            user => ExcludedItems(data, user, other[user], excluded),
            user => positive[user] >= 0
                ? positive.AsSpan(user, 1)
                : throw new ArgumentException($"User {user} (raw id {data.RawUserIds[user]}) has no held-out item; evaluate only data.EvaluatedUsers.", nameof(users)));
    }

    // Seen(user) plus the other held-out item, in a reused buffer.
    private static ReadOnlySpan<int> ExcludedItems(InteractionData data, int user, int other, int[] buffer)
    {
        ReadOnlySpan<int> seen = data.Seen(user);
        seen.CopyTo(buffer);
        if (other < 0) return buffer.AsSpan(0, seen.Length);
        buffer[seen.Length] = other;
        return buffer.AsSpan(0, seen.Length + 1);
    }
}
