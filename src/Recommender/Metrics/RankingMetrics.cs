namespace TinyKd.Recommender;

/// <summary>
/// Full-ranking metrics of one user (the recipe's "Evaluation" section): every item that is not excluded is a
/// candidate, the positives are ranked among the candidates by score, and the metrics are, in the order of
/// <see cref="Names"/>: AUC, then for each cut-off K: HR@K, Recall@K, NDCG@K, MAP@K, then MRR.
/// <para>
/// Ranks are pessimistic: every negative candidate whose score equals a positive's is ranked before it, so a
/// constant scorer puts the positives at the bottom. For a positive p,
/// rank(p) = 1 + #{negative candidates c with s_c ≥ s_p} + #{positives q with s_q &gt; s_p}
///              + #{positives q listed before p with s_q = s_p};
/// tied positives thus take consecutive ranks after their tied negatives (the last clause only orders them among
/// themselves, which no metric depends on), and the ranks of the positives are distinct. With one positive this is
/// the recipe's rank(p) = 1 + #{candidates c ≠ p with s_c ≥ s_p}.
/// </para>
/// <para>
/// With m = min(|P|, K): HR@K = 1 if a positive has rank ≤ K; Recall@K = hits / |P|;
/// NDCG@K = Σ_{rank ≤ K} 1/log2(rank + 1) / Σ_{i=1..m} 1/log2(i + 1);
/// MAP@K = (1/m) Σ_{rank r ≤ K} precision@r, where precision@r = #{positives with rank ≤ r} / r;
/// MRR = 1 / best rank (no cut-off); AUC = fraction of (positive, negative candidate) pairs with s_pos &gt; s_neg,
/// ties counting ½.
/// </para>
/// An instance owns a scratch mask sized to the item count, so <see cref="Compute"/> allocates nothing; it is
/// therefore not safe to share between threads.
/// </summary>
public sealed class RankingMetrics
{
    /// <summary>The recipe's cut-offs K ∈ {5, 10, 20}.</summary>
    public static IReadOnlyList<int> DefaultCutOffs { get; } = [5, 10, 20];

    private const byte Excluded = 1, Positive = 2;
    private readonly int[] _cutOffs;
    private readonly double[] _idealDcg;
    private readonly byte[] _mask;
    private readonly Dictionary<string, int> _index;

    /// <summary>Metrics over <paramref name="itemCount"/> items with the given cut-offs (default 5, 10, 20).</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="itemCount"/> &lt; 1, or cut-offs that are empty, not positive or not strictly increasing.
    /// </exception>
    public RankingMetrics(int itemCount, IReadOnlyList<int>? cutOffs = null)
    {
        if (itemCount < 1)
            throw new ArgumentException($"'{nameof(itemCount)}' must be at least 1; got {itemCount}.", nameof(itemCount));
        _cutOffs = CheckCutOffs(cutOffs ?? DefaultCutOffs);
        ItemCount = itemCount;
        Names = NamesFor(_cutOffs);
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Names.Count; i++) _index[Names[i]] = i;
        _idealDcg = new double[_cutOffs[^1] + 1];
        for (int i = 1; i < _idealDcg.Length; i++) _idealDcg[i] = _idealDcg[i - 1] + 1.0 / Math.Log2(i + 1);
        _mask = new byte[itemCount];
    }

    /// <summary>The number of items; a score row has this many entries and item indices lie in [0, ItemCount).</summary>
    public int ItemCount { get; }

    /// <summary>The cut-offs K, strictly increasing.</summary>
    public IReadOnlyList<int> CutOffs => _cutOffs;

    /// <summary>The metric names in the order <see cref="Compute"/> writes them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>"AUC", then "HR@K", "Recall@K", "NDCG@K", "MAP@K" for each K in order, then "MRR".</summary>
    /// <exception cref="ArgumentException">Cut-offs that are empty, not positive or not strictly increasing.</exception>
    public static IReadOnlyList<string> NamesFor(IReadOnlyList<int> cutOffs)
    {
        var names = new List<string> { "AUC" };
        foreach (int k in CheckCutOffs(cutOffs))
        {
            names.Add($"HR@{k}");
            names.Add($"Recall@{k}");
            names.Add($"NDCG@{k}");
            names.Add($"MAP@{k}");
        }
        names.Add("MRR");
        return names.AsReadOnly();
    }

    /// <summary>The position of <paramref name="name"/> in <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">A name these metrics do not compute (the message lists those they do).</exception>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _index.TryGetValue(name, out int i)
            ? i
            : throw new ArgumentException($"No metric '{name}'; these metrics are {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>
    /// Writes the metrics of <paramref name="user"/> into <paramref name="values"/> (one per <see cref="Names"/>).
    /// </summary>
    /// <param name="user">The user's id, used only in error messages.</param>
    /// <param name="scores">One score per item (higher = ranked first), <see cref="ItemCount"/> of them.</param>
    /// <param name="excluded">Items that are not candidates (e.g. those seen in training); repeats are allowed.</param>
    /// <param name="positives">The relevant items: at least one, distinct, none of them excluded.</param>
    /// <param name="values">Receives the metric values, <see cref="Names"/>.Count of them.</param>
    /// <exception cref="ArgumentException">
    /// A wrong length of <paramref name="scores"/> or <paramref name="values"/>, no positive, an item index outside
    /// [0, ItemCount), a positive that is excluded or listed twice, no negative candidate left, or a NaN score
    /// (the message names the user and the item).
    /// </exception>
    public void Compute(int user, ReadOnlySpan<float> scores, ReadOnlySpan<int> excluded, ReadOnlySpan<int> positives, Span<double> values)
    {
        CheckArguments(user, scores, excluded, positives, values);
        try
        {
            int excludedCount = Mark(user, excluded, positives);
            int negatives = ItemCount - excludedCount - positives.Length;
            if (negatives == 0)
                throw new ArgumentException(
                    $"User {user} has no negative candidate: all {ItemCount} items are excluded or positive.", nameof(excluded));
            Fill(scores, positives, negatives, values);
        }
        finally
        {
            foreach (int item in excluded) _mask[item] = 0;
            foreach (int item in positives) _mask[item] = 0;
        }
    }

    private void CheckArguments(int user, ReadOnlySpan<float> scores, ReadOnlySpan<int> excluded, ReadOnlySpan<int> positives, Span<double> values)
    {
        if (scores.Length != ItemCount)
            throw new ArgumentException($"User {user}: '{nameof(scores)}' has {scores.Length} entries; the items number {ItemCount}.", nameof(scores));
        if (values.Length != Names.Count)
            throw new ArgumentException($"'{nameof(values)}' has {values.Length} entries; there are {Names.Count} metrics.", nameof(values));
        if (positives.IsEmpty)
            throw new ArgumentException($"User {user} has no positive; ranking metrics need at least one.", nameof(positives));
        CheckItems(user, excluded, nameof(excluded));
        CheckItems(user, positives, nameof(positives));
        for (int item = 0; item < scores.Length; item++)
        {
            if (float.IsNaN(scores[item]))
                throw new ArgumentException(
                    $"User {user}: the score of item {item} is NaN (a diverged model, or a score the scorer did not write).", nameof(scores));
        }
    }

    private void CheckItems(int user, ReadOnlySpan<int> items, string parameter)
    {
        for (int i = 0; i < items.Length; i++)
        {
            if ((uint)items[i] >= (uint)ItemCount)
                throw new ArgumentException(
                    $"User {user}: '{parameter}'[{i}] is item {items[i]}, outside [0, {ItemCount - 1}].", parameter);
        }
    }

    // Marks the excluded items and the positives in the mask; returns the number of distinct excluded items.
    private int Mark(int user, ReadOnlySpan<int> excluded, ReadOnlySpan<int> positives)
    {
        int excludedCount = 0;
        foreach (int item in excluded)
        {
            if (_mask[item] == 0) excludedCount++;
            _mask[item] = Excluded;
        }
        foreach (int item in positives)
        {
            if (_mask[item] == Excluded)
                throw new ArgumentException($"User {user}: positive item {item} is also excluded, so it is not a candidate.", nameof(positives));
            if (_mask[item] == Positive)
                throw new ArgumentException($"User {user}: positive item {item} is listed twice.", nameof(positives));
            _mask[item] = Positive;
        }
        return excludedCount;
    }

    // O(|P| · items): each positive is compared with every candidate.
    private void Fill(ReadOnlySpan<float> scores, ReadOnlySpan<int> positives, int negatives, Span<double> values)
    {
        values.Clear();
        double aucPairs = 0;
        int bestRank = int.MaxValue;
        for (int i = 0; i < positives.Length; i++)
        {
            float s = scores[positives[i]];
            int negativesAtOrAbove = 0, negativesAbove = 0;
            for (int item = 0; item < scores.Length; item++)
            {
                if (_mask[item] != 0) continue;
                if (scores[item] >= s)
                {
                    negativesAtOrAbove++;
                    if (scores[item] > s) negativesAbove++;
                }
            }
            int positivesAbove = 0;
            for (int j = 0; j < positives.Length; j++)
            {
                float t = scores[positives[j]];
                if (t > s || (t == s && j < i)) positivesAbove++;
            }
            int rank = 1 + negativesAtOrAbove + positivesAbove;
            bestRank = Math.Min(bestRank, rank);
            aucPairs += negatives - negativesAtOrAbove + 0.5 * (negativesAtOrAbove - negativesAbove);
            for (int c = 0; c < _cutOffs.Length; c++)
            {
                if (rank > _cutOffs[c]) continue;
                int at = 1 + 4 * c;
                values[at + 1] += 1;                                   // hits, normalised below
                values[at + 2] += 1.0 / Math.Log2(rank + 1);           // DCG
                values[at + 3] += (positivesAbove + 1) / (double)rank; // precision@rank
            }
        }
        values[0] = aucPairs / ((double)positives.Length * negatives);
        for (int c = 0; c < _cutOffs.Length; c++)
        {
            int at = 1 + 4 * c;
            int ideal = Math.Min(positives.Length, _cutOffs[c]);
            values[at] = values[at + 1] > 0 ? 1 : 0;
            values[at + 1] /= positives.Length;
            values[at + 2] /= _idealDcg[ideal];
            values[at + 3] /= ideal;
        }
        values[^1] = 1.0 / bestRank;
    }

    private static int[] CheckCutOffs(IReadOnlyList<int> cutOffs)
    {
        ArgumentNullException.ThrowIfNull(cutOffs);
        if (cutOffs.Count == 0) throw new ArgumentException("'cutOffs' is empty; give at least one K.", nameof(cutOffs));
        var result = cutOffs.ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] < 1 || (i > 0 && result[i] <= result[i - 1]))
                throw new ArgumentException(
                    $"'cutOffs' must be positive and strictly increasing; got {string.Join(", ", result)}.", nameof(cutOffs));
        }
        return result;
    }
}
