using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender.Data;

public class LeaveLastOutSplitTests
{
    // Raw users 10, 20, 30, 40 are dense 0..3; raw movies 5, 7, 100, 200, 300, 400 are dense 0..5. Rows are deliberately
    // not grouped by user, and user 10's tied ratings come in neither movie id order nor its reverse.
    //  user 10: positives 5 (t 10), then 300, 100, 7 all at t 50 — the tie goes to movie id, so 300 is the test item
    //           and 100 the validation item; the later 2-star rating of 200 stays in training.
    //  user 20: two positives only: not evaluated, everything in training.
    //  user 30: five positives (held out: 400 at t 9, then 300 at t 8), a 1-star rating of 100.
    //  user 40: no positive.
    private static RatingsTable Table() => RatingsFixtures.Table(
        [
            (10, 200, 2f, 60), (30, 400, 4f, 9), (10, 300, 4f, 50), (10, 100, 4f, 50), (20, 5, 5f, 1), (30, 5, 5f, 1),
            (10, 7, 5f, 50), (30, 7, 4.5f, 2), (20, 7, 3.5f, 2), (10, 5, 4.5f, 10), (30, 300, 4f, 8),
            (30, 100, 1f, 30), (20, 300, 4f, 3), (40, 400, 3.5f, 4), (30, 200, 5f, 3),
        ],
        new Dictionary<int, string[]>
        {
            [5] = ["Drama", "Comedy", "Drama"], [7] = ["(no genres listed)"], [100] = ["Sci-Fi", "Comedy"],
        });

    private static InteractionData Split(int coldStartMaxPositives = 2) =>
        LeaveLastOutSplit.Create(Table(), coldStartMaxPositives: coldStartMaxPositives);

    [Fact]
    public void Split_numbers_users_items_and_genres_in_raw_id_and_ordinal_order()
    {
        InteractionData data = Split();

        Assert.Equal([10, 20, 30, 40], data.RawUserIds);
        Assert.Equal([5, 7, 100, 200, 300, 400], data.RawItemIds);
        Assert.Equal(["(no genres listed)", "Comedy", "Drama", "Sci-Fi"], data.Genres);
        Assert.Equal([1, 2], data.ItemGenres(0).ToArray());
        Assert.Equal([0], data.ItemGenres(1).ToArray());
        Assert.Equal([1, 3], data.ItemGenres(2).ToArray());
        Assert.Equal([2], data.ItemGenres(3).ToArray());
        Assert.Equal(data.ItemCount + 1, data.GenreOffsets.Length);
    }

    [Fact]
    public void Split_breaks_timestamp_ties_by_movie_id_and_holds_out_the_last_two_positives()
    {
        InteractionData data = Split();

        Assert.Equal((2, 4), (data.ValidationItem[0], data.TestItem[0]));
        Assert.Equal((4, 5), (data.ValidationItem[2], data.TestItem[2]));
    }

    [Fact]
    public void Split_does_not_evaluate_users_with_fewer_than_three_positives()
    {
        InteractionData data = Split();

        Assert.Equal([0, 2], data.EvaluatedUsers);
        Assert.Equal((-1, -1), (data.ValidationItem[1], data.TestItem[1]));
        Assert.Equal((-1, -1), (data.ValidationItem[3], data.TestItem[3]));
        Assert.Equal([0, 1, 4], data.Seen(1).ToArray());
        Assert.Equal([0, 4], data.TrainPositives(1).ToArray());
        Assert.False(data.IsEvaluated(1));
    }

    [Fact]
    public void Split_keeps_non_positive_ratings_in_training_and_seen_but_not_held_out_items()
    {
        InteractionData data = Split();

        Assert.Equal([0, 1, 3], data.Seen(0).ToArray());
        Assert.Equal([0, 1], data.TrainPositives(0).ToArray());
        Assert.Equal([0, 1, 2, 3], data.Seen(2).ToArray());
        Assert.Equal([0, 1, 3], data.TrainPositives(2).ToArray());
        Assert.Equal([5], data.Seen(3).ToArray());
        Assert.True(data.TrainPositives(3).IsEmpty);
        Assert.True(data.IsSeen(0, 3));
        Assert.True(data.IsSeen(2, 2));
        Assert.False(data.IsSeen(0, 2));
        Assert.False(data.IsSeen(0, 4));
        Assert.False(data.IsSeen(2, 4));
        Assert.False(data.IsSeen(2, 5));
    }

    [Fact]
    public void Split_flags_evaluated_users_with_at_most_the_cold_start_count_of_training_positives()
    {
        Assert.Equal([0], Split(coldStartMaxPositives: 2).ColdStartUsers);
        Assert.Equal([0, 2], Split(coldStartMaxPositives: 3).ColdStartUsers);
        Assert.Empty(Split(coldStartMaxPositives: 1).ColdStartUsers);
        Assert.True(Split(coldStartMaxPositives: 2).IsColdStart(0));
        Assert.False(Split(coldStartMaxPositives: 5).IsColdStart(1));
    }

    [Fact]
    public void Split_lists_training_positives_by_user_then_item_and_counts_the_table()
    {
        InteractionData data = Split();

        Assert.Equal([0, 0, 1, 1, 2, 2, 2], data.TrainUsers);
        Assert.Equal([0, 1, 0, 4, 0, 1, 3], data.TrainItems);
        Assert.Equal([0, 2, 4, 7, 7], data.TrainPositiveOffsets);
        Assert.Equal((15, 11), (data.Ratings, data.Positives));
    }

    [Fact]
    public void Split_uses_the_given_positive_threshold()
    {
        InteractionData data = LeaveLastOutSplit.Create(Table(), positiveThreshold: 3.5f);

        Assert.Equal(13, data.Positives);
        Assert.Equal((1, 4), (data.ValidationItem[1], data.TestItem[1]));
        Assert.Equal([0, 1, 2], data.EvaluatedUsers);
    }

    [Fact]
    public void Split_rejects_bad_arguments_and_out_of_range_users()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LeaveLastOutSplit.Create(Table(), positiveThreshold: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => LeaveLastOutSplit.Create(Table(), coldStartMaxPositives: -1));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Split().Seen(4));
        Assert.Contains("User 4 is outside [0, 4)", error.Message);
    }
}
