using System.Globalization;
using System.Text;
using TinyKd.Distill;
using TinyKd.Distill.Data;

namespace TinyKd.Recommender;

/// <summary>The file layouts GroupLens publishes MovieLens in.</summary>
public enum GroupLensLayout
{
    /// <summary><c>ratings.csv</c> (userId,movieId,rating,timestamp) + <c>movies.csv</c> (movieId,title,genres): ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m.</summary>
    Csv,
    /// <summary><c>u.data</c> (tab-separated user, item, rating, timestamp) + <c>u.item</c> (pipe-separated, 19 genre flags) + <c>u.genre</c>: ml-100k.</summary>
    Ml100k,
    /// <summary><c>ratings.dat</c> (UserID::MovieID::Rating::Timestamp) + <c>movies.dat</c> (MovieID::Title::Genres): ml-1m, ml-10m.</summary>
    Dat,
}

/// <summary>
/// Reads (and, for tests and the synthetic generator, writes) a MovieLens folder as GroupLens ships it, in any of the
/// <see cref="GroupLensLayout"/>s, into a <see cref="RatingsTable"/>. The ratings file streams line by line (ml-25m has
/// 25 million ratings); the movies file gives titles and genres: a title's trailing " (1995)" becomes the year,
/// "(no genres listed)" no genre. Only rated movies are kept. Text is UTF-8, or Latin-1 where it is not valid UTF-8
/// (ml-100k's and ml-1m's files are Latin-1). Every fault names the file and the line.
/// </summary>
public static class GroupLensFolder
{
    // ml-100k's u.genre when the folder has none: the 19 genres of its u.item flags, in flag order.
    private static readonly string[] Ml100kGenres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    private const string NoGenres = "(no genres listed)";

    /// <summary>The layout of <paramref name="folder"/>, from the files it holds.</summary>
    /// <exception cref="InvalidDataException">The folder holds none of the layouts' file pairs (the message lists them).</exception>
    public static GroupLensLayout Detect(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        bool Has(string name) => File.Exists(Path.Combine(folder, name));
        if (Has("ratings.csv") && Has("movies.csv")) return GroupLensLayout.Csv;
        if (Has("u.data") && Has("u.item")) return GroupLensLayout.Ml100k;
        if (Has("ratings.dat") && Has("movies.dat")) return GroupLensLayout.Dat;
        throw new InvalidDataException($"Folder '{folder}' is not a MovieLens folder: it needs ratings.csv + movies.csv (ml-latest, ml-25m), " +
                                       $"u.data + u.item (ml-100k) or ratings.dat + movies.dat (ml-1m, ml-10m).");
    }

    /// <summary>Reads the MovieLens folder <paramref name="folder"/> in whichever layout it has.</summary>
    /// <exception cref="InvalidDataException">No known layout, a malformed line (file, line and field named), a rating
    /// outside [0.5, 5], a (user, movie) pair rated twice, or a rated movie missing from the movies file.</exception>
    public static RatingsTable Read(string folder)
    {
        GroupLensLayout layout = Detect(folder);
        (string ratingsFile, string separator, bool header) = layout switch
        {
            GroupLensLayout.Csv => ("ratings.csv", ",", true),
            GroupLensLayout.Ml100k => ("u.data", "\t", false),
            _ => ("ratings.dat", "::", false),
        };
        string ratingsPath = Path.Combine(folder, ratingsFile);
        List<RatingRow> rows = ReadRatings(ratingsPath, separator, header);
        Dictionary<int, MovieInfo> movies = layout switch
        {
            GroupLensLayout.Csv => ReadMoviesCsv(Path.Combine(folder, "movies.csv")),
            GroupLensLayout.Ml100k => ReadUItem(Path.Combine(folder, "u.item"), ReadUGenre(Path.Combine(folder, "u.genre"))),
            _ => ReadMoviesDat(Path.Combine(folder, "movies.dat")),
        };
        var rated = new HashSet<int>();
        for (int r = 0; r < rows.Count; r++)
            if (rated.Add(rows[r].MovieId) && !movies.ContainsKey(rows[r].MovieId))
                throw new InvalidDataException($"MovieLens file '{ratingsPath}' rating {r + 1} rates movie {rows[r].MovieId}, which its movies file does not list.");
        // The table checks for pairs rated twice itself (one dictionary of every pair: 25 M entries at ml-25m's size,
        // so not built twice); its message names the rows, this one the file.
        try
        {
            return new RatingsTable(rows, movies.Values.Where(m => rated.Contains(m.MovieId)));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"MovieLens file '{ratingsPath}' holds an invalid ratings table: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="table"/> into <paramref name="folder"/> (created if needed) in <paramref name="layout"/>: what GroupLens' files look like, so the reader can be tested on any size.</summary>
    /// <exception cref="ArgumentException">ml-100k with more genres than u.item's flag columns can name (the table's own genre list is written as u.genre).</exception>
    public static void Write(RatingsTable table, string folder, GroupLensLayout layout)
    {
        ArgumentNullException.ThrowIfNull(table);
        Directory.CreateDirectory(folder);
        var movies = table.Movies.Values.OrderBy(m => m.MovieId).ToList();
        string Title(MovieInfo m) => m.Year is int year ? $"{m.Title} ({year})" : m.Title;
        string Number(float rating) => rating.ToString(CultureInfo.InvariantCulture);
        switch (layout)
        {
            case GroupLensLayout.Csv:
                WriteLines(Path.Combine(folder, "ratings.csv"), ["userId,movieId,rating,timestamp", .. table.Rows.Select(r => Invariant($"{r.UserId},{r.MovieId},{Number(r.Rating)},{r.Timestamp}"))]);
                WriteLines(Path.Combine(folder, "movies.csv"), ["movieId,title,genres", .. movies.Select(m =>
                    Invariant($"{m.MovieId},{Quote(Title(m))},{(m.Genres.Length == 0 ? NoGenres : string.Join('|', m.Genres))}"))]);
                break;
            case GroupLensLayout.Ml100k:
                string[] genres = [.. movies.SelectMany(m => m.Genres).Distinct().Order(StringComparer.Ordinal)];
                WriteLines(Path.Combine(folder, "u.data"), table.Rows.Select(r => Invariant($"{r.UserId}\t{r.MovieId}\t{Number(r.Rating)}\t{r.Timestamp}")));
                WriteLines(Path.Combine(folder, "u.genre"), genres.Select((g, k) => Invariant($"{g}|{k}")));
                WriteLines(Path.Combine(folder, "u.item"), movies.Select(m =>
                    Invariant($"{m.MovieId}|{Title(m)}|||http://example.org/{m.MovieId}|") + string.Join('|', genres.Select(g => Array.IndexOf(m.Genres, g) >= 0 ? "1" : "0"))));
                break;
            default:
                WriteLines(Path.Combine(folder, "ratings.dat"), table.Rows.Select(r => Invariant($"{r.UserId}::{r.MovieId}::{Number(r.Rating)}::{r.Timestamp}")));
                WriteLines(Path.Combine(folder, "movies.dat"), movies.Select(m => Invariant($"{m.MovieId}::{Title(m)}::{(m.Genres.Length == 0 ? NoGenres : string.Join('|', m.Genres))}")));
                break;
        }
    }

    // userId, movieId, rating, timestamp separated by `separator`, one rating per line, parsed from spans (no per-field strings).
    private static List<RatingRow> ReadRatings(string path, string separator, bool header)
    {
        var rows = new List<RatingRow>();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        int line = 0;
        if (header)
        {
            line++;
            string? first = reader.ReadLine();
            string expected = string.Join(separator, "userId", "movieId", "rating", "timestamp");
            if (first is null || first.Trim() != expected)
                throw new InvalidDataException($"MovieLens file '{path}' line 1 is '{first}'; the header should be '{expected}'.");
        }
        Span<Range> parts = stackalloc Range[5];
        while (reader.ReadLine() is { } text)
        {
            line++;
            ReadOnlySpan<char> rest = text.AsSpan().Trim();
            if (rest.IsEmpty) continue;
            int count = rest.Split(parts, separator);
            if (count != 4)
                throw new InvalidDataException($"MovieLens file '{path}' line {line} has {count} fields; expected user, movie, rating and timestamp separated by '{Escaped(separator)}'.");
            int user = Field<int>(rest[parts[0]], path, line, "user id");
            int movie = Field<int>(rest[parts[1]], path, line, "movie id");
            float rating = Field<float>(rest[parts[2]], path, line, "rating");
            if (!RatingsTable.IsValidRating(rating))
                throw new InvalidDataException($"MovieLens file '{path}' line {line}: rating {rating.ToString(CultureInfo.InvariantCulture)} lies outside [{RatingsTable.MinRating}, {RatingsTable.MaxRating}].");
            rows.Add(new RatingRow(user, movie, rating, Field<long>(rest[parts[3]], path, line, "timestamp")));
        }
        if (rows.Count == 0) throw new InvalidDataException($"MovieLens file '{path}' holds no ratings.");
        return rows;
    }

    private static T Field<T>(ReadOnlySpan<char> text, string path, int line, string what) where T : ISpanParsable<T> =>
        T.TryParse(text.Trim(), CultureInfo.InvariantCulture, out T? value)
            ? value
            : throw new InvalidDataException($"MovieLens file '{path}' line {line}: the {what} '{text.ToString()}' is not a number.");

    private static Dictionary<int, MovieInfo> ReadMoviesCsv(string path)
    {
        var movies = new Dictionary<int, MovieInfo>();
        var records = new CsvRecordReader(new StringReader(Text(path)), path);
        var fields = new List<string>();
        if (!records.Next(fields) || !fields.Select(f => f.Trim()).SequenceEqual(["movieId", "title", "genres"]))
            throw new InvalidDataException($"MovieLens file '{path}' line 1 should be the header 'movieId,title,genres'.");
        while (records.Next(fields))
        {
            if (fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0])) continue;
            if (fields.Count != 3)
                throw new InvalidDataException($"MovieLens file '{path}' line {records.LineNumber} has {fields.Count} fields; expected movieId, title and genres.");
            Add(movies, Movie(fields[0], fields[1], Genres(fields[2]), path, records.LineNumber), path, records.LineNumber);
        }
        return movies;
    }

    private static Dictionary<int, MovieInfo> ReadMoviesDat(string path)
    {
        var movies = new Dictionary<int, MovieInfo>();
        foreach (var (line, text) in Lines(path))
        {
            string[] fields = text.Split("::");
            if (fields.Length != 3)
                throw new InvalidDataException($"MovieLens file '{path}' line {line} has {fields.Length} fields; expected MovieID::Title::Genres.");
            Add(movies, Movie(fields[0], fields[1], Genres(fields[2]), path, line), path, line);
        }
        return movies;
    }

    // u.item: id|title|release date|video release date|IMDb URL|one 0/1 flag per genre of u.genre.
    private static Dictionary<int, MovieInfo> ReadUItem(string path, string[] genreNames)
    {
        var movies = new Dictionary<int, MovieInfo>();
        foreach (var (line, text) in Lines(path))
        {
            string[] fields = text.Split('|');
            if (fields.Length != 5 + genreNames.Length)
                throw new InvalidDataException($"MovieLens file '{path}' line {line} has {fields.Length} fields; expected 5 + {genreNames.Length} genre flags.");
            var genres = new List<string>();
            for (int g = 0; g < genreNames.Length; g++)
            {
                if (fields[5 + g] == "1") genres.Add(genreNames[g]);
                else if (fields[5 + g] != "0")
                    throw new InvalidDataException($"MovieLens file '{path}' line {line}: the flag of genre '{genreNames[g]}' is '{fields[5 + g]}', not 0 or 1.");
            }
            MovieInfo movie = Movie(fields[0], fields[1], [.. genres], path, line);
            if (movie.Year is null && fields[2].Length >= 4 && int.TryParse(fields[2].AsSpan(fields[2].Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out int released))
                movie = movie with { Year = released };
            Add(movies, movie, path, line);
        }
        return movies;
    }

    // u.genre: name|index lines; ml-100k's 19 genres when the file is absent.
    private static string[] ReadUGenre(string path)
    {
        if (!File.Exists(path)) return Ml100kGenres;
        var names = new List<string>();
        foreach (var (line, text) in Lines(path))
        {
            string[] fields = text.Split('|');
            if (fields.Length != 2 || fields[1] != names.Count.ToString(CultureInfo.InvariantCulture) || fields[0].Length == 0)
                throw new InvalidDataException($"MovieLens file '{path}' line {line} is '{text}'; expected 'name|{names.Count}'.");
            names.Add(fields[0]);
        }
        return [.. names];
    }

    // A title's trailing " (1995)" is its year: MovieLens writes every title so, the export keeps them apart.
    private static MovieInfo Movie(string id, string title, string[] genres, string path, int line)
    {
        if (!int.TryParse(id.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int movieId))
            throw new InvalidDataException($"MovieLens file '{path}' line {line}: the movie id '{id}' is not an integer.");
        string name = title.Trim();
        int? year = null;
        if (name.Length >= 7 && name[^1] == ')' && name[^6] == '(' && name[^7] == ' '
            && int.TryParse(name.AsSpan(name.Length - 5, 4), NumberStyles.None, CultureInfo.InvariantCulture, out int y))
            (name, year) = (name[..^7], y);
        return new MovieInfo(movieId, name, year, genres);
    }

    private static string[] Genres(string text) =>
        text.Trim() is var t && (t.Length == 0 || t == NoGenres) ? [] : t.Split('|');

    private static void Add(Dictionary<int, MovieInfo> movies, MovieInfo movie, string path, int line)
    {
        if (!movies.TryAdd(movie.MovieId, movie))
            throw new InvalidDataException($"MovieLens file '{path}' line {line} lists movie {movie.MovieId} a second time.");
    }

    // The non-blank lines of a (small) movies file with their 1-based numbers, line ends trimmed.
    private static IEnumerable<(int Line, string Text)> Lines(string path) =>
        Text(path).Split('\n').Select((text, k) => (k + 1, text.TrimEnd('\r'))).Where(l => !string.IsNullOrWhiteSpace(l.Item2));

    // The movies files are small: read whole, as UTF-8 when they are valid UTF-8, else as Latin-1 (ml-100k, ml-1m).
    private static string Text(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }

    private static void WriteLines(string path, IEnumerable<string> lines) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        foreach (string line in lines)
        {
            writer.Write(line);
            writer.Write('\n');
        }
    });

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Escaped(string separator) => separator == "\t" ? "\\t" : separator;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
