using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender.Data;

/// <summary>Small hand-made ratings tables for the recommender data tests.</summary>
internal static class RatingsFixtures
{
    /// <summary>
    /// A table of <paramref name="rows"/> given as (user, movie, rating, timestamp); every movie gets the title
    /// <c>Movie {id}</c>, year 2000 and the genres <paramref name="genres"/> gives it (<c>Drama</c> when absent).
    /// </summary>
    public static RatingsTable Table(
        IEnumerable<(int User, int Movie, float Rating, long Time)> rows, IReadOnlyDictionary<int, string[]>? genres = null)
    {
        var ratingRows = rows.Select(r => new RatingRow(r.User, r.Movie, r.Rating, r.Time)).ToArray();
        var movies = ratingRows.Select(r => r.MovieId).Distinct()
            .Select(id => new MovieInfo(id, $"Movie {id}", 2000, genres?.GetValueOrDefault(id) ?? ["Drama"]));
        return new RatingsTable(ratingRows, movies);
    }

    /// <summary>
    /// A table where user 1 rates every movie 1..<paramref name="movies"/> except the last <paramref name="unseen"/>
    /// (all 2 stars, so none is held out) and user 2 rates every movie (5 stars, one a day), so each movie is an item.
    /// </summary>
    public static RatingsTable MostlySeen(int movies, int unseen)
    {
        var rows = new List<(int, int, float, long)>();
        for (int m = 1; m <= movies - unseen; m++) rows.Add((1, m, 2f, m));
        for (int m = 1; m <= movies; m++) rows.Add((2, m, 5f, m * 86_400L));
        return Table(rows);
    }

    /// <summary>Asserts that two tables hold the same rows in the same order and the same movies.</summary>
    public static void AssertSameTable(RatingsTable expected, RatingsTable actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Movies.Keys.Order(), actual.Movies.Keys.Order());
        foreach (var (id, movie) in expected.Movies)
            Assert.True(movie.SameAs(actual.Movies[id]), $"movie {id}: expected {Describe(movie)}, got {Describe(actual.Movies[id])}");
    }

    private static string Describe(MovieInfo m) => $"'{m.Title}' ({m.Year?.ToString() ?? "NA"}) [{string.Join("|", m.Genres)}]";
}
