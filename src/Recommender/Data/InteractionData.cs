namespace TinyKd.Recommender;

/// <summary>
/// Implicit-feedback data for training and evaluating a recommender, made by <see cref="LeaveLastOutSplit"/> from a
/// <see cref="RatingsTable"/>. Users and items have dense ids 0.. in increasing raw id order; genres are numbered in
/// ordinal string order. Per-user and per-item lists are CSR: the entries of row r are
/// <c>Items[Offsets[r] .. Offsets[r + 1])</c>. The arrays are shared, not copied: callers must not change them.
/// </summary>
public sealed class InteractionData
{
    internal InteractionData(
        int[] rawUserIds, int[] rawItemIds, string[] genres, int[] genreOffsets, int[] genreIndices,
        int[] trainPositiveOffsets, int[] trainPositiveItems, int[] seenOffsets, int[] seenItems,
        int[] validationItem, int[] testItem, int[] evaluatedUsers, int[] coldStartUsers,
        int ratings, int positives, float positiveThreshold, int coldStartMaxPositives)
    {
        RawUserIds = rawUserIds;
        RawItemIds = rawItemIds;
        Genres = genres;
        GenreOffsets = genreOffsets;
        GenreIndices = genreIndices;
        TrainPositiveOffsets = trainPositiveOffsets;
        TrainPositiveItems = trainPositiveItems;
        SeenOffsets = seenOffsets;
        SeenItems = seenItems;
        ValidationItem = validationItem;
        TestItem = testItem;
        EvaluatedUsers = evaluatedUsers;
        ColdStartUsers = coldStartUsers;
        Ratings = ratings;
        Positives = positives;
        PositiveThreshold = positiveThreshold;
        ColdStartMaxPositives = coldStartMaxPositives;
        TrainItems = trainPositiveItems;
        TrainUsers = new int[trainPositiveItems.Length];
        for (int u = 0; u < UserCount; u++) TrainUsers.AsSpan(trainPositiveOffsets[u]..trainPositiveOffsets[u + 1]).Fill(u);
    }

    /// <summary>The number of users U (every user with at least one rating).</summary>
    public int UserCount => RawUserIds.Length;

    /// <summary>The number of items I (every movie with at least one rating).</summary>
    public int ItemCount => RawItemIds.Length;

    /// <summary>Raw user id of each dense user, [U], increasing.</summary>
    public int[] RawUserIds { get; }

    /// <summary>Raw movie id of each dense item, [I], increasing.</summary>
    public int[] RawItemIds { get; }

    /// <summary>Genre names, in ordinal order; a genre's index is its position here.</summary>
    public string[] Genres { get; }

    /// <summary>CSR offsets of <see cref="GenreIndices"/> per item, [I + 1].</summary>
    public int[] GenreOffsets { get; }

    /// <summary>Genre indices of each item, increasing and distinct within an item (CSR by <see cref="GenreOffsets"/>).</summary>
    public int[] GenreIndices { get; }

    /// <summary>
    /// The user of each training positive, [P_train]: user 0's positives first, then user 1's, … (the flattened
    /// <see cref="TrainPositives"/>), so the order is deterministic. Pairs with <see cref="TrainItems"/>.
    /// </summary>
    public int[] TrainUsers { get; }

    /// <summary>The item of each training positive, [P_train]; within a user, increasing item id.</summary>
    public int[] TrainItems { get; }

    /// <summary>CSR offsets of <see cref="TrainPositiveItems"/> per user, [U + 1].</summary>
    public int[] TrainPositiveOffsets { get; }

    /// <summary>Each user's training positives (rating ≥ the threshold, held-out items excluded), increasing item id.</summary>
    public int[] TrainPositiveItems { get; }

    /// <summary>CSR offsets of <see cref="SeenItems"/> per user, [U + 1].</summary>
    public int[] SeenOffsets { get; }

    /// <summary>Each user's training items of any rating (held-out items excluded), increasing item id.</summary>
    public int[] SeenItems { get; }

    /// <summary>Each user's validation item (the second-to-last positive), [U]; −1 for a user who is not evaluated.</summary>
    public int[] ValidationItem { get; }

    /// <summary>Each user's test item (the last positive), [U]; −1 for a user who is not evaluated.</summary>
    public int[] TestItem { get; }

    /// <summary>Users with a validation and a test item (at least 3 positives), increasing.</summary>
    public int[] EvaluatedUsers { get; }

    /// <summary>Evaluated users with at most <see cref="ColdStartMaxPositives"/> training positives, increasing.</summary>
    public int[] ColdStartUsers { get; }

    /// <summary>The number of ratings in the source table.</summary>
    public int Ratings { get; }

    /// <summary>The number of positive ratings in the source table, held-out ones included.</summary>
    public int Positives { get; }

    /// <summary>The rating from which a rating counts as positive.</summary>
    public float PositiveThreshold { get; }

    /// <summary>The most training positives an evaluated user may have and still be in <see cref="ColdStartUsers"/>.</summary>
    public int ColdStartMaxPositives { get; }

    /// <summary>The items <paramref name="user"/> rated in training (any rating), increasing.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    public ReadOnlySpan<int> Seen(int user)
    {
        CheckUser(user);
        return SeenItems.AsSpan(SeenOffsets[user]..SeenOffsets[user + 1]);
    }

    /// <summary>True when <paramref name="user"/> rated <paramref name="item"/> in training (binary search in <see cref="Seen"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    public bool IsSeen(int user, int item) => Seen(user).BinarySearch(item) >= 0;

    /// <summary>The training positives of <paramref name="user"/>, increasing item id.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    public ReadOnlySpan<int> TrainPositives(int user)
    {
        CheckUser(user);
        return TrainPositiveItems.AsSpan(TrainPositiveOffsets[user]..TrainPositiveOffsets[user + 1]);
    }

    /// <summary>The genre indices of <paramref name="item"/>, increasing.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="item"/> is not in [0, I).</exception>
    public ReadOnlySpan<int> ItemGenres(int item)
    {
        if ((uint)item >= (uint)ItemCount)
            throw new ArgumentOutOfRangeException(nameof(item), $"Item {item} is outside [0, {ItemCount}).");
        return GenreIndices.AsSpan(GenreOffsets[item]..GenreOffsets[item + 1]);
    }

    /// <summary>True when <paramref name="user"/> has a validation and a test item.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    public bool IsEvaluated(int user)
    {
        CheckUser(user);
        return TestItem[user] >= 0;
    }

    /// <summary>True when <paramref name="user"/> is evaluated and has at most <see cref="ColdStartMaxPositives"/> training positives.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    public bool IsColdStart(int user) => IsEvaluated(user) && TrainPositives(user).Length <= ColdStartMaxPositives;

    private void CheckUser(int user)
    {
        if ((uint)user >= (uint)UserCount)
            throw new ArgumentOutOfRangeException(nameof(user), $"User {user} is outside [0, {UserCount}).");
    }
}
