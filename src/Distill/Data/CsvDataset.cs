using System.Globalization;
using System.Text;
using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Reads a classification dataset from a CSV file: a header row naming the columns, then one example per line.
/// Every column but the label column is a numeric feature (invariant culture, taken as is, not rescaled). The label
/// column holds integer class indices, or strings mapped to class indices in ordinal sorted order (or by
/// <see cref="CsvOptions.ClassNames"/>). Fields may be double-quoted (<c>""</c> escapes a quote) but may not span
/// lines; blank lines are skipped. Errors are <see cref="InvalidDataException"/>s naming the file, line and column.
/// </summary>
public static class CsvDataset
{
    /// <summary>
    /// The most classes a CSV dataset may have (65,536): integer labels are class indices, so a stray large label
    /// would otherwise make a model with that many outputs.
    /// </summary>
    public const int MaxClasses = 1 << 16;

    /// <summary>Reads the CSV file at <paramref name="path"/>, whose column <paramref name="labelColumn"/> holds the labels.</summary>
    /// <exception cref="InvalidDataException">
    /// No header, no label column (the columns found are listed), a column named twice, a ragged row, an empty label, a non-numeric or
    /// non-finite feature, a negative or out-of-range integer label (without <see cref="CsvOptions.Classes"/>, an
    /// integer label of <see cref="MaxClasses"/> or more), or a label not among <see cref="CsvOptions.ClassNames"/>.
    /// </exception>
    public static Dataset Load(string path, string labelColumn, CsvOptions? options = null)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Load(reader, path, labelColumn, options);
    }

    /// <summary>The column names in the header row of the CSV file at <paramref name="path"/>, trimmed.</summary>
    /// <exception cref="InvalidDataException">The file is empty (no header row).</exception>
    public static string[] ReadHeader(string path, char separator = ',')
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var fields = new List<string>();
        if (!new CsvRecordReader(reader, path, separator).Next(fields))
            throw new InvalidDataException($"CSV file '{path}' is empty; expected a header row.");
        return fields.Select(f => f.Trim()).ToArray();
    }

    /// <summary>As <see cref="Load(string, string, CsvOptions?)"/>, from a reader named <paramref name="source"/> in messages.</summary>
    /// <exception cref="InvalidDataException">As for the file overload.</exception>
    public static Dataset Load(TextReader reader, string source, string labelColumn, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        options ??= new CsvOptions();
        if (options.Classes is int declared && (declared < 1 || declared > MaxClasses))
            throw new ArgumentOutOfRangeException(nameof(options), $"CsvOptions.Classes is {declared}; it must be in [1, {MaxClasses}].");
        var fields = new List<string>();
        var records = new CsvRecordReader(reader, source, options.Separator);
        if (!records.Next(fields)) throw new InvalidDataException($"CSV file '{source}' is empty; expected a header row.");
        string[] columns = fields.Select(f => f.Trim()).ToArray();
        CsvHeader.RejectDuplicates(columns, source);
        int labelIndex = Array.IndexOf(columns, labelColumn);
        if (labelIndex < 0)
            throw new InvalidDataException(
                $"CSV file '{source}' has no label column '{labelColumn}'; columns found: {string.Join(", ", columns)}.");

        var features = new List<float>();
        var labels = new List<string>();
        var lineNumbers = new List<int>();
        while (records.Next(fields))
        {
            int lineNumber = records.LineNumber;
            if (fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0])) continue;
            if (fields.Count != columns.Length)
                throw new InvalidDataException(
                    $"CSV file '{source}' line {lineNumber} has {fields.Count} fields but the header has {columns.Length} columns.");
            for (int j = 0; j < fields.Count; j++)
            {
                string field = fields[j].Trim();
                if (j == labelIndex)
                {
                    if (field.Length == 0)
                        throw new InvalidDataException(
                            $"CSV file '{source}' line {lineNumber}, column {j + 1} '{columns[j]}': the label is empty; every row needs a label.");
                    labels.Add(field);
                    continue;
                }
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                    throw new InvalidDataException(
                        $"CSV file '{source}' line {lineNumber}, column {j + 1} '{columns[j]}': '{field}' is not a finite number.");
                features.Add(value);
            }
            lineNumbers.Add(lineNumber);
        }
        if (labels.Count == 0) throw new InvalidDataException($"CSV file '{source}' has a header but no data rows.");

        var (classLabels, classes, classNames) = MapLabels(labels, lineNumbers, source, labelColumn, options);
        var tensor = Tensor.FromArray(features.ToArray(), labels.Count, columns.Length - 1);
        return new Dataset(tensor, classLabels, classes, Path.GetFileNameWithoutExtension(source), source, classNames);
    }

    private static (int[] Labels, int Classes, IReadOnlyList<string>? Names) MapLabels(
        List<string> labels, List<int> lineNumbers, string source, string labelColumn, CsvOptions options)
    {
        var result = new int[labels.Count];
        bool integers = options.ClassNames is null && labels.TrueForAll(l => int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        if (integers)
        {
            for (int i = 0; i < labels.Count; i++) result[i] = int.Parse(labels[i], NumberStyles.Integer, CultureInfo.InvariantCulture);
            int largest = Array.IndexOf(result, result.Max());
            if (options.Classes is null && result[largest] >= MaxClasses)
                throw new InvalidDataException(
                    $"CSV file '{source}' line {lineNumbers[largest]}, column '{labelColumn}': label {result[largest]} would make " +
                    $"{(long)result[largest] + 1} classes, more than the {MaxClasses} TinyKd allows; integer labels are class " +
                    "indices 0, 1, 2 … (write names for other codes, which are mapped to indices).");
            int classes = options.Classes ?? result[largest] + 1;
            for (int i = 0; i < result.Length; i++)
            {
                if (result[i] < 0 || result[i] >= classes)
                    throw new InvalidDataException(
                        $"CSV file '{source}' line {lineNumbers[i]}, column '{labelColumn}': label {result[i]} is outside [0, {classes - 1}].");
            }
            return (result, classes, null);
        }

        IReadOnlyList<string> names = options.ClassNames ?? labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (names.Count > MaxClasses)
            throw new InvalidDataException(
                $"CSV file '{source}' column '{labelColumn}' holds {names.Count} distinct labels, more than the {MaxClasses} classes TinyKd allows.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < names.Count; c++) index[names[c]] = c;
        for (int i = 0; i < labels.Count; i++)
        {
            if (!index.TryGetValue(labels[i], out result[i]))
                throw new InvalidDataException(
                    $"CSV file '{source}' line {lineNumbers[i]}, column '{labelColumn}': label '{labels[i]}' is not one of the classes {string.Join(", ", names)}.");
        }
        return (result, names.Count, names);
    }
}
