namespace TinyKd.Recommender;

/// <summary>
/// What is known about a movie besides its ratings. Record equality compares <see cref="Genres"/> by reference; use
/// <see cref="SameAs"/> to compare contents.
/// </summary>
/// <param name="MovieId">Raw movie id.</param>
/// <param name="Title">The title; empty when the source has none.</param>
/// <param name="Year">Release year, or null when unknown (<c>NA</c> in the CSV).</param>
/// <param name="Genres">
/// Genre names, in source order; <c>(no genres listed)</c> is a genre like any other. Names are non-empty and hold no
/// <c>|</c> (the CSV separator between genres).
/// </param>
public sealed record MovieInfo(int MovieId, string Title, int? Year, string[] Genres)
{
    /// <summary>True when <paramref name="other"/> has the same id, title, year and genres (in the same order).</summary>
    public bool SameAs(MovieInfo other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return MovieId == other.MovieId && Title == other.Title && Year == other.Year && Genres.AsSpan().SequenceEqual(other.Genres);
    }
}
