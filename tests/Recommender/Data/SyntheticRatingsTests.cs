using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender.Data;

public class SyntheticRatingsTests
{
    private static readonly RatingsTable Default = SyntheticRatings.Generate();

    [Fact]
    public void Synthetic_ratings_are_the_same_for_the_same_seed_and_differ_for_another()
    {
        RatingsTable again = SyntheticRatings.Generate(new SyntheticOptions { Seed = 1 });
        RatingsTable other = SyntheticRatings.Generate(new SyntheticOptions { Seed = 2 });

        RatingsFixtures.AssertSameTable(Default, again);
        Assert.NotEqual(Default.Rows.Take(100), other.Rows.Take(100));
    }

    [Fact]
    public void Synthetic_ratings_have_the_default_shape_and_valid_fields()
    {
        var options = new SyntheticOptions();
        IReadOnlyList<RatingRow> rows = Default.Rows;

        Assert.Equal(Enumerable.Range(1, options.Users), rows.Select(r => r.UserId).Distinct().Order());
        Assert.InRange(rows.Count, 25_000, 30_000);
        Assert.InRange(Default.Movies.Count, 1_100, options.Movies);
        Assert.All(rows, r => Assert.True(r.Rating * 2 == MathF.Round(r.Rating * 2) && r.Rating is >= 0.5f and <= 5f, $"rating {r.Rating}"));
        Assert.All(Default.Movies.Values, m => Assert.InRange(m.Genres.Length, 1, 3));
        Assert.All(Default.Movies.Values, m => Assert.True(m.Year is null or (>= 1950 and <= 2016), $"year {m.Year}"));
        Assert.All(rows, r => Assert.True(r.Timestamp >= options.StartTimestamp, $"timestamp {r.Timestamp}"));
    }

    [Fact]
    public void Synthetic_timestamps_never_decrease_along_a_users_rows()
    {
        IReadOnlyList<RatingRow> rows = Default.Rows;

        for (int r = 1; r < rows.Count; r++)
        {
            if (rows[r].UserId == rows[r - 1].UserId)
                Assert.True(rows[r].Timestamp >= rows[r - 1].Timestamp, $"row {r} of user {rows[r].UserId} goes back in time");
        }
        Assert.Contains(rows.Skip(1).Zip(rows), p => p.First.UserId == p.Second.UserId && p.First.Timestamp == p.Second.Timestamp);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Synthetic_ratings_have_MovieLens_like_positive_and_cold_start_shares(ulong seed)
    {
        RatingsTable table = SyntheticRatings.Generate(new SyntheticOptions { Seed = seed });
        InteractionData data = LeaveLastOutSplit.Create(table);

        double positiveShare = (double)data.Positives / data.Ratings;
        double coldStartShare = (double)data.ColdStartUsers.Length / data.UserCount;

        Assert.True(positiveShare is >= 0.45 and <= 0.55, $"seed {seed}: positive share {positiveShare:F3}");
        Assert.True(coldStartShare is >= 0.07 and <= 0.15, $"seed {seed}: cold-start share {coldStartShare:F3}");
    }

    [Fact]
    public void Synthetic_ratings_let_a_factor_model_beat_popularity_on_held_out_positives()
    {
        InteractionData data = LeaveLastOutSplit.Create(Default);

        double popularity = FactorModelProbe.PopularityHitRate(data, k: 10);
        double factors = FactorModelProbe.MatrixFactorizationHitRate(data, k: 10, seed: 1);

        Assert.True(factors > 1.3 * popularity, $"seed 1: HR@10 of BPR-MF {factors:F3} vs popularity {popularity:F3}");
    }

    [Fact]
    public void Synthetic_ratings_round_trip_through_the_csv()
    {
        var writer = new StringWriter();
        MovieLensCsv.Write(Default, writer);

        RatingsTable read = MovieLensCsv.Read(new StringReader(writer.ToString()), "synthetic.csv");

        RatingsFixtures.AssertSameTable(Default, read);
    }

    [Fact]
    public void Synthetic_options_out_of_range_are_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticRatings.Generate(new SyntheticOptions { Users = 0 }));
        Assert.Equal("Users", error.ParamName);
        var mean = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticRatings.Generate(new SyntheticOptions { MeanRatingsPerUser = 10 }));
        Assert.Equal("MeanRatingsPerUser", mean.ParamName);
    }
}
