using System.Globalization;
using System.Text;
using TinyKd.Distill;
using TinyKd.Distill.Data;

namespace TinyKd.Recommender;

/// <summary>
/// Reads and writes a <see cref="RatingsTable"/> as the recommender CSV (what scripts/export-movielens.sh writes from
/// dslabs' <c>movielens</c> data frame): a header naming the columns <c>movieId,title,year,genres,userId,rating,timestamp</c>
/// (found by name, in any order; other columns are ignored), then one rating per record. Fields are RFC 4180: a field
/// holding a comma, quote or line break is double-quoted and <c>""</c> inside quotes is one quote, so a quoted title
/// may span lines. <c>year</c> is an integer or <c>NA</c>; <c>genres</c> are pipe-separated (an empty field is no
/// genre); <c>rating</c> is stars in [0.5, 5]; <c>timestamp</c> is integer Unix seconds. A movie's title, year and
/// genres repeat on each of its ratings and must agree. Blank lines are skipped. Text is UTF-8.
/// </summary>
public static class MovieLensCsv
{
    /// <summary>The columns every file has, in the order <see cref="Write(RatingsTable, TextWriter)"/> writes them.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["movieId", "title", "year", "genres", "userId", "rating", "timestamp"];

    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is empty, lacks a column (the columns found are listed), names a column twice, has no data rows, a ragged record, an
    /// unparsable or out-of-range field, a movie whose title, year or genres differ between two lines, or a (user,
    /// movie) pair rated twice; the message names the file and the line(s).
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RatingsTable Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>As <see cref="Read(string)"/>, from a reader named <paramref name="source"/> in messages.</summary>
    /// <exception cref="InvalidDataException">As for the file overload.</exception>
    public static RatingsTable Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        var records = new CsvRecordReader(reader, source);
        var fields = new List<string>();
        if (!records.Next(fields)) throw new InvalidDataException($"CSV file '{source}' is empty; expected a header row.");
        string[] header = fields.Select(f => f.Trim()).ToArray();
        CsvHeader.RejectDuplicates(header, source);
        int[] index = new int[Columns.Count];
        for (int c = 0; c < Columns.Count; c++)
        {
            index[c] = Array.IndexOf(header, Columns[c]);
            if (index[c] < 0)
                throw new InvalidDataException(
                    $"CSV file '{source}' has no column '{Columns[c]}'; columns found: {string.Join(", ", header)}. Expected: {string.Join(",", Columns)}.");
        }

        var rows = new List<RatingRow>();
        var rowLines = new List<int>();
        var movies = new Dictionary<int, (MovieInfo Movie, int Line)>();
        while (records.Next(fields))
        {
            int line = records.LineNumber;
            if (fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0])) continue;
            if (fields.Count != header.Length)
                throw new InvalidDataException(
                    $"CSV file '{source}' line {line} has {fields.Count} fields but the header has {header.Length} columns.");
            var field = new FieldParser(fields, index, source, line);
            int movieId = field.Int(0);
            var movie = new MovieInfo(movieId, fields[index[1]], field.Year(2), field.Genres(3));
            var row = new RatingRow(field.Int(4), movieId, field.Rating(5), field.Long(6));
            if (movies.TryGetValue(movieId, out var known))
            {
                if (!known.Movie.SameAs(movie))
                    throw new InvalidDataException(
                        $"CSV file '{source}' line {line}: movie {movieId} has title, year or genres different from line {known.Line}.");
            }
            else movies.Add(movieId, (movie, line));
            rows.Add(row);
            rowLines.Add(line);
        }
        if (rows.Count == 0) throw new InvalidDataException($"CSV file '{source}' has a header but no ratings.");
        if (RatingsTable.FindDuplicate(rows) is var (first, second))
            throw new InvalidDataException(
                $"CSV file '{source}' line {rowLines[second]}: user {rows[second].UserId} rates movie {rows[second].MovieId} again (first on line {rowLines[first]}).");
        try
        {
            return new RatingsTable(rows, movies.Values.Select(m => m.Movie));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"CSV file '{source}' holds an invalid ratings table: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically (<see cref="AtomicFile"/>), UTF-8 without BOM.</summary>
    public static void Write(RatingsTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
            Write(table, writer);
        });
    }

    /// <summary>
    /// Writes <paramref name="table"/> to <paramref name="writer"/>: the header, then its rows in order, lines ended by
    /// <c>\n</c>, quoting only the fields that need it; the rating in its shortest round-trip form (<c>4</c>, <c>3.5</c>).
    /// </summary>
    public static void Write(RatingsTable table, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(",", Columns));
        writer.Write('\n');
        var line = new StringBuilder();
        foreach (RatingRow row in table.Rows)
        {
            MovieInfo movie = table.Movies[row.MovieId];
            line.Clear()
                .Append(row.MovieId.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Quote(movie.Title)).Append(',')
                .Append(movie.Year is int year ? year.ToString(CultureInfo.InvariantCulture) : "NA").Append(',')
                .Append(Quote(string.Join("|", movie.Genres))).Append(',')
                .Append(row.UserId.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Rating.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Timestamp.ToString(CultureInfo.InvariantCulture)).Append('\n');
            writer.Write(line);
        }
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // Parses the fields of one record, by column position in Columns; errors name the file, line and column.
    private readonly ref struct FieldParser(List<string> fields, int[] index, string source, int line)
    {
        public int Int(int column) =>
            int.TryParse(Text(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw Bad(column, "an integer");

        public long Long(int column) =>
            long.TryParse(Text(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : throw Bad(column, "an integer");

        public int? Year(int column) => Text(column) == "NA" ? null : Int(column);

        public float Rating(int column) =>
            float.TryParse(Text(column), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && RatingsTable.IsValidRating(value)
                ? value
                : throw Bad(column, $"a rating in [{RatingsTable.MinRating}, {RatingsTable.MaxRating}]");

        public string[] Genres(int column)
        {
            string text = fields[index[column]];
            if (text.Length == 0) return [];
            string[] genres = text.Split('|');
            return Array.Exists(genres, g => g.Length == 0) ? throw Bad(column, "pipe-separated non-empty genre names") : genres;
        }

        private string Text(int column) => fields[index[column]].Trim();

        private InvalidDataException Bad(int column, string expected) =>
            new($"CSV file '{source}' line {line}, column '{Columns[column]}': '{fields[index[column]]}' is not {expected}.");
    }
}
