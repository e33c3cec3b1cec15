namespace TinyKd.Distill.Data;

/// <summary>Checks shared by the CSV readers on a header row.</summary>
public static class CsvHeader
{
    /// <summary>Refuses a header that names a column twice, since a lookup by name would silently take the first.</summary>
    /// <exception cref="InvalidDataException">A name repeats; the message names the file, the name and both positions.</exception>
    public static void RejectDuplicates(string[] columns, string source)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < columns.Length; j++)
        {
            if (!seen.TryAdd(columns[j], j))
                throw new InvalidDataException(
                    $"CSV file '{source}' names the column '{columns[j]}' twice (columns {seen[columns[j]] + 1} and {j + 1}).");
        }
    }
}
