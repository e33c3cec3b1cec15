using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender.Data;

public class RatingsTableTests
{
    private static readonly MovieInfo Movie7 = new(7, "Seven", 1995, ["Crime"]);
    private static readonly MovieInfo Movie8 = new(8, "Eight", null, ["Drama"]);

    [Fact]
    public void RatingsTable_keeps_rows_in_order_and_movies_by_id()
    {
        var table = new RatingsTable([new(2, 8, 3f, 5), new(1, 7, 4.5f, 9)], [Movie7, Movie8]);

        Assert.Equal([new RatingRow(2, 8, 3f, 5), new RatingRow(1, 7, 4.5f, 9)], table.Rows);
        Assert.Same(Movie8, table.Movies[8]);
    }

    [Fact]
    public void RatingsTable_rejects_a_pair_rated_twice_naming_user_movie_and_rows()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new RatingsTable([new(3, 7, 4f, 1), new(3, 8, 2f, 2), new(3, 7, 5f, 3)], [Movie7, Movie8]));

        Assert.Contains("User 3 rates movie 7 twice (rows 0 and 2)", error.Message);
    }

    [Theory]
    [InlineData(0.25f)]
    [InlineData(5.5f)]
    [InlineData(float.NaN)]
    public void RatingsTable_rejects_a_rating_outside_half_to_five_stars(float rating)
    {
        var error = Assert.Throws<ArgumentException>(() => new RatingsTable([new(1, 7, 4f, 1), new(1, 8, rating, 2)], [Movie7, Movie8]));

        Assert.Contains("Row 1 (user 1, movie 8)", error.Message);
    }

    [Fact]
    public void RatingsTable_accepts_the_extreme_ratings()
    {
        var table = new RatingsTable([new(1, 7, 0.5f, 1), new(1, 8, 5f, 2)], [Movie7, Movie8]);

        Assert.Equal(2, table.Rows.Count);
    }

    [Fact]
    public void RatingsTable_rejects_a_rated_movie_without_info_and_a_listed_movie_without_ratings()
    {
        var missing = Assert.Throws<ArgumentException>(() => new RatingsTable([new(1, 7, 4f, 1), new(1, 9, 4f, 2)], [Movie7]));
        var unrated = Assert.Throws<ArgumentException>(() => new RatingsTable([new(1, 7, 4f, 1)], [Movie7, Movie8]));

        Assert.Contains("movie 9, which has no MovieInfo", missing.Message);
        Assert.Contains("Movie 8 has no ratings", unrated.Message);
    }

    [Fact]
    public void RatingsTable_rejects_a_genre_name_the_csv_cannot_hold()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new RatingsTable([new(1, 7, 4f, 1)], [new MovieInfo(7, "Seven", 1995, ["Crime|Drama"])]));

        Assert.Contains("Movie 7 has genre 'Crime|Drama'", error.Message);
    }
}
