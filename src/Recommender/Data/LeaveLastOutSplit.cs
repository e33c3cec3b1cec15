namespace TinyKd.Recommender;

/// <summary>
/// The leave-last-out split of the recommender recipe. A rating ≥ the positive threshold is a positive. Per user, the
/// positives are sorted by (timestamp, movie id): the last is the test item, the one before the validation item —
/// for users with at least 3 positives only; other users keep every rating in training and are not evaluated.
/// Training is every other rating of the user, positive or not: all of them are <see cref="InteractionData.Seen"/>,
/// the positive ones are <see cref="InteractionData.TrainPositives"/>. Cold-start users are evaluated users with at
/// most <c>coldStartMaxPositives</c> training positives. Deterministic: no randomness is involved.
/// </summary>
public static class LeaveLastOutSplit
{
    /// <summary>The fewest positives a user needs to be evaluated (one each for training, validation and test).</summary>
    public const int MinPositivesToEvaluate = 3;

    /// <summary>Splits <paramref name="table"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="positiveThreshold"/> is not finite, or <paramref name="coldStartMaxPositives"/> is negative.
    /// </exception>
    public static InteractionData Create(RatingsTable table, float positiveThreshold = 4f, int coldStartMaxPositives = 10)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!float.IsFinite(positiveThreshold))
            throw new ArgumentOutOfRangeException(nameof(positiveThreshold), $"The positive threshold must be finite; got {positiveThreshold}.");
        ArgumentOutOfRangeException.ThrowIfNegative(coldStartMaxPositives);

        IReadOnlyList<RatingRow> rows = table.Rows;
        int[] rawUsers = rows.Select(r => r.UserId).Distinct().Order().ToArray();
        int[] rawItems = table.Movies.Keys.Order().ToArray();
        var userOf = DenseIds(rawUsers);
        var itemOf = DenseIds(rawItems);
        var (genres, genreOffsets, genreIndices) = ItemGenres(table, rawItems);

        // Group the rows by dense user (CSR), keeping table order within a user.
        int userCount = rawUsers.Length;
        var rowOffsets = new int[userCount + 1];
        foreach (RatingRow row in rows) rowOffsets[userOf[row.UserId] + 1]++;
        for (int u = 0; u < userCount; u++) rowOffsets[u + 1] += rowOffsets[u];
        var userRows = new int[rows.Count];
        var fill = rowOffsets[..^1];
        for (int r = 0; r < rows.Count; r++) userRows[fill[userOf[rows[r].UserId]]++] = r;

        var validation = new int[userCount];
        var test = new int[userCount];
        var seenOffsets = new int[userCount + 1];
        var trainOffsets = new int[userCount + 1];
        var seen = new List<int>(rows.Count);
        var train = new List<int>(rows.Count);
        var evaluated = new List<int>();
        var coldStart = new List<int>();
        var positives = new List<(long Timestamp, int Item)>();
        var userSeen = new List<int>();
        var userTrain = new List<int>();
        int positiveCount = 0;
        for (int u = 0; u < userCount; u++)
        {
            positives.Clear();
            for (int k = rowOffsets[u]; k < rowOffsets[u + 1]; k++)
            {
                RatingRow row = rows[userRows[k]];
                if (row.Rating >= positiveThreshold) positives.Add((row.Timestamp, itemOf[row.MovieId]));
            }
            positiveCount += positives.Count;
            // Dense item order is raw movie id order, so (timestamp, item) sorts by (timestamp, movieId).
            positives.Sort();
            bool isEvaluated = positives.Count >= MinPositivesToEvaluate;
            test[u] = isEvaluated ? positives[^1].Item : -1;
            validation[u] = isEvaluated ? positives[^2].Item : -1;

            userSeen.Clear();
            userTrain.Clear();
            for (int k = rowOffsets[u]; k < rowOffsets[u + 1]; k++)
            {
                RatingRow row = rows[userRows[k]];
                int item = itemOf[row.MovieId];
                if (item == test[u] || item == validation[u]) continue;
                userSeen.Add(item);
                if (row.Rating >= positiveThreshold) userTrain.Add(item);
            }
            userSeen.Sort();
            userTrain.Sort();
            seen.AddRange(userSeen);
            train.AddRange(userTrain);
            seenOffsets[u + 1] = seen.Count;
            trainOffsets[u + 1] = train.Count;
            if (isEvaluated)
            {
                evaluated.Add(u);
                if (userTrain.Count <= coldStartMaxPositives) coldStart.Add(u);
            }
        }

        return new InteractionData(
            rawUsers, rawItems, genres, genreOffsets, genreIndices, trainOffsets, train.ToArray(), seenOffsets, seen.ToArray(),
            validation, test, evaluated.ToArray(), coldStart.ToArray(), rows.Count, positiveCount, positiveThreshold,
            coldStartMaxPositives);
    }

    private static Dictionary<int, int> DenseIds(int[] rawIds)
    {
        var dense = new Dictionary<int, int>(rawIds.Length);
        for (int i = 0; i < rawIds.Length; i++) dense.Add(rawIds[i], i);
        return dense;
    }

    // Genre names in ordinal order and each item's distinct genre indices, increasing (CSR).
    private static (string[] Names, int[] Offsets, int[] Indices) ItemGenres(RatingsTable table, int[] rawItems)
    {
        string[] names = rawItems.SelectMany(id => table.Movies[id].Genres).Distinct().Order(StringComparer.Ordinal).ToArray();
        var genreOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int g = 0; g < names.Length; g++) genreOf.Add(names[g], g);
        var offsets = new int[rawItems.Length + 1];
        var indices = new List<int>();
        for (int i = 0; i < rawItems.Length; i++)
        {
            indices.AddRange(table.Movies[rawItems[i]].Genres.Select(g => genreOf[g]).Distinct().Order());
            offsets[i + 1] = indices.Count;
        }
        return (names, offsets, indices.ToArray());
    }
}
