using System.Text;

namespace TinyKd.Distill.Data;

/// <summary>
/// Splits RFC 4180 text into records of fields: a double-quoted field may hold the separator, line breaks and
/// <c>""</c> (one quote). Tracks the line on which each record starts, for error messages. Both CSV readers
/// (<see cref="CsvDataset"/> and the MovieLens ratings) use it.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, string source, char separator = ',')
{
    private int _linesRead;

    /// <summary>The 1-based line on which the last record returned by <see cref="Next"/> starts.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Reads the next record into <paramref name="fields"/>; false at the end of the text.</summary>
    /// <exception cref="InvalidDataException">The text ends inside a quoted field (the line it opened on is named).</exception>
    public bool Next(List<string> fields)
    {
        fields.Clear();
        string? line = reader.ReadLine();
        if (line is null) return false;
        LineNumber = ++_linesRead;
        var field = new StringBuilder();
        bool quoted = false;
        while (true)
        {
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c != '"') field.Append(c);
                    else if (i + 1 < line.Length && line[i + 1] == '"') field.Append(line[++i]);
                    else quoted = false;
                }
                else if (c == '"') quoted = true;
                else if (c == separator)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else field.Append(c);
            }
            if (!quoted) break;
            line = reader.ReadLine()
                ?? throw new InvalidDataException($"CSV file '{source}' line {LineNumber} opens a quoted field that never closes.");
            _linesRead++;
            field.Append('\n');
        }
        fields.Add(field.ToString());
        return true;
    }
}
