using System.Collections.ObjectModel;

namespace TinyKd.Recommender;

/// <summary>
/// A validated set of explicit ratings and the movies they rate: what <see cref="MovieLensCsv"/> reads and writes and
/// <see cref="SyntheticRatings"/> generates. Every rating is finite and in [0.5, 5], no user rates a movie twice,
/// every rated movie has a <see cref="MovieInfo"/> and every listed movie is rated (so the table round-trips through
/// the CSV, which knows movies only through their ratings). Rows keep the order they were given in.
/// </summary>
public sealed class RatingsTable
{
    /// <summary>The lowest rating, half a star.</summary>
    public const float MinRating = 0.5f;

    /// <summary>The highest rating, five stars.</summary>
    public const float MaxRating = 5f;

    /// <summary>Validates and stores <paramref name="rows"/> (copied) and <paramref name="movies"/>.</summary>
    /// <exception cref="ArgumentException">
    /// No rows; a rating that is not finite or outside [0.5, 5] (the row is named); a (user, movie) pair rated twice
    /// (both rows are named); a movie listed twice, with a null title or genres, or with an empty genre name or one
    /// holding <c>|</c> or a line break; a rated movie without a <see cref="MovieInfo"/>; a listed movie without ratings.
    /// </exception>
    public RatingsTable(IEnumerable<RatingRow> rows, IEnumerable<MovieInfo> movies)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(movies);
        RatingRow[] copy = rows.ToArray();
        if (copy.Length == 0) throw new ArgumentException("A ratings table needs at least one rating; got none.", nameof(rows));
        for (int r = 0; r < copy.Length; r++)
        {
            if (!IsValidRating(copy[r].Rating))
                throw new ArgumentException(
                    $"Row {r} (user {copy[r].UserId}, movie {copy[r].MovieId}) has rating {copy[r].Rating}; ratings lie in [{MinRating}, {MaxRating}].",
                    nameof(rows));
        }
        if (FindDuplicate(copy) is var (first, second))
            throw new ArgumentException(
                $"User {copy[second].UserId} rates movie {copy[second].MovieId} twice (rows {first} and {second}); a user rates a movie at most once.",
                nameof(rows));

        var byId = new Dictionary<int, MovieInfo>();
        foreach (MovieInfo movie in movies)
        {
            ValidateMovie(movie);
            if (!byId.TryAdd(movie.MovieId, movie))
                throw new ArgumentException($"Movie {movie.MovieId} is listed twice.", nameof(movies));
        }
        var rated = new HashSet<int>();
        for (int r = 0; r < copy.Length; r++)
        {
            if (!byId.ContainsKey(copy[r].MovieId))
                throw new ArgumentException(
                    $"Row {r} (user {copy[r].UserId}) rates movie {copy[r].MovieId}, which has no MovieInfo.", nameof(movies));
            rated.Add(copy[r].MovieId);
        }
        foreach (int id in byId.Keys)
        {
            if (!rated.Contains(id))
                throw new ArgumentException(
                    $"Movie {id} has no ratings; a ratings table lists only rated movies.", nameof(movies));
        }

        Rows = Array.AsReadOnly(copy);
        Movies = new ReadOnlyDictionary<int, MovieInfo>(byId);
    }

    /// <summary>The ratings, in the order given.</summary>
    public IReadOnlyList<RatingRow> Rows { get; }

    /// <summary>Every rated movie, by raw movie id.</summary>
    public IReadOnlyDictionary<int, MovieInfo> Movies { get; }

    /// <summary>True when <paramref name="rating"/> is finite and in [0.5, 5].</summary>
    public static bool IsValidRating(float rating) => rating >= MinRating && rating <= MaxRating;

    /// <summary>
    /// The first (user, movie) pair rated twice in <paramref name="rows"/>, as the indices of its first and second
    /// row, or null when every pair is distinct.
    /// </summary>
    /// <remarks>
    /// Keyed by the (user, movie) tuple, whose hash mixes both ids. A long key (user &lt;&lt; 32 | movie) would hash to
    /// user ^ movie — a few thousand distinct values for MovieLens' millions of pairs — and turned this check
    /// quadratic: 10 s for one million ratings.
    /// </remarks>
    internal static (int First, int Second)? FindDuplicate(IReadOnlyList<RatingRow> rows)
    {
        var firstRow = new Dictionary<(int User, int Movie), int>(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            var key = (rows[r].UserId, rows[r].MovieId);
            if (!firstRow.TryAdd(key, r)) return (firstRow[key], r);
        }
        return null;
    }

    /// <summary>Why <paramref name="movie"/> cannot be stored, or null when it can.</summary>
    internal static string? MovieProblem(MovieInfo movie)
    {
        if (movie.Title is null) return $"Movie {movie.MovieId} has a null title.";
        if (movie.Genres is null) return $"Movie {movie.MovieId} has null genres.";
        foreach (string genre in movie.Genres)
        {
            if (string.IsNullOrEmpty(genre) || genre.AsSpan().IndexOfAny('|', '\n', '\r') >= 0)
                return $"Movie {movie.MovieId} has genre '{genre}'; genre names are non-empty and hold no '|' or line break.";
        }
        return null;
    }

    private static void ValidateMovie(MovieInfo? movie)
    {
        if (movie is null) throw new ArgumentException("The movies hold a null MovieInfo.", "movies");
        if (MovieProblem(movie) is string problem) throw new ArgumentException(problem, "movies");
    }
}
