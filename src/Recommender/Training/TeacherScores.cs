namespace TinyKd.Recommender;

/// <summary>
/// A teacher's score for every (user, item) pair, computed once after it is trained: distillation then reads the
/// teacher's view of any sampled item for free, as the image pipeline caches teacher logits. [U, I] floats —
/// 24 MB for MovieLens' 671 × 9,066. Also the teacher's top-K unseen items per user for ranking distillation.
/// </summary>
public sealed class TeacherScores
{
    private readonly float[] _scores;

    /// <summary>Wraps a row-major [users, items] score matrix (not copied).</summary>
    /// <exception cref="ArgumentException">The matrix length is not users × items, or a score is not finite.</exception>
    public TeacherScores(float[] scores, int users, int items)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Length != (long)users * items)
            throw new ArgumentException($"A [{users}, {items}] score matrix has {(long)users * items} entries; got {scores.Length}.", nameof(scores));
        for (int k = 0; k < scores.Length; k++)
            if (!float.IsFinite(scores[k]))
                throw new ArgumentException($"The teacher's score for user {k / items}, item {k % items} is {scores[k]}.", nameof(scores));
        _scores = scores;
        UserCount = users;
        ItemCount = items;
    }

    /// <summary>Scores every pair with <paramref name="teacher"/> (evaluation mode, no gradients).</summary>
    public static TeacherScores From(RecommenderModel teacher)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var scores = new float[(long)teacher.UserCount * teacher.ItemCount];
        teacher.ScoreAll(Enumerable.Range(0, teacher.UserCount).ToArray(), scores);
        return new TeacherScores(scores, teacher.UserCount, teacher.ItemCount);
    }

    /// <summary>The number of users.</summary>
    public int UserCount { get; }

    /// <summary>The number of items.</summary>
    public int ItemCount { get; }

    /// <summary>The teacher's score of (user, item).</summary>
    public float this[int user, int item] => _scores[user * ItemCount + item];

    /// <summary>All of one user's scores.</summary>
    public ReadOnlySpan<float> Of(int user) => _scores.AsSpan(user * ItemCount, ItemCount);

    /// <summary>
    /// For every user, the <paramref name="k"/> items the teacher ranks highest among those the user has not seen in
    /// training, best first (ties broken by the lower item number): [users, k] row-major. A user with fewer than k
    /// unseen items repeats the last one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not positive or exceeds the item count.</exception>
    public int[] TopUnseen(InteractionData data, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (k <= 0 || k > ItemCount) throw new ArgumentOutOfRangeException(nameof(k), $"k must be in [1, {ItemCount}]; got {k}.");
        var top = new int[UserCount * k];
        var best = new List<(float Score, int Item)>(k + 1);
        for (int u = 0; u < UserCount; u++)
        {
            best.Clear();
            ReadOnlySpan<float> s = Of(u);
            ReadOnlySpan<int> seen = data.Seen(u);
            for (int i = 0; i < ItemCount; i++)
            {
                if (best.Count == k && !Better(s[i], i, best[^1])) continue;
                if (seen.BinarySearch(i) >= 0) continue;
                int at = best.Count;
                while (at > 0 && Better(s[i], i, best[at - 1])) at--;
                best.Insert(at, (s[i], i));
                if (best.Count > k) best.RemoveAt(k);
            }
            for (int r = 0; r < k; r++) top[u * k + r] = best.Count == 0 ? 0 : best[Math.Min(r, best.Count - 1)].Item;
        }
        return top;
    }

    private static bool Better(float score, int item, (float Score, int Item) other) =>
        score > other.Score || (score == other.Score && item < other.Item);
}
