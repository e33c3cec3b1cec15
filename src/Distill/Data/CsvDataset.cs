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

    /// <summary>
    /// Labels that spreadsheets and R write for a missing value (<c>?</c>, <c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c>,
    /// any case): without <see cref="CsvOptions.MissingLabel"/> a training file holding one is an error rather than a
    /// class of that name.
    /// </summary>
    public static readonly IReadOnlySet<string> MissingMarkers = new HashSet<string>(["?", "NA", "N/A", "NaN", "null"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the CSV file at <paramref name="path"/>, whose column <paramref name="labelColumn"/> holds the labels.</summary>
    /// <exception cref="InvalidDataException">
    /// No header, no label column (the columns found are listed), a column named twice, a ragged row, an empty label or
    /// (training file, no <see cref="CsvOptions.MissingLabel"/>) one of the <see cref="MissingMarkers"/>, a non-numeric or
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

        var (features, labels, lineNumbers) = ReadRows(records, columns, labelIndex, source, options.MissingLabel);
        if (labels.Count == 0) throw new InvalidDataException($"CSV file '{source}' has a header but no data rows.");
        if (labels.TrueForAll(l => l is null))
            throw new InvalidDataException($"CSV file '{source}': every label is the missing-label marker '{options.MissingLabel}'; at least one row needs a label.");

        if (options.MissingLabel is null && options.ClassNames is null && labels.FindIndex(l => MissingMarkers.Contains(l!)) is var marked and >= 0)
            throw new InvalidDataException(
                $"CSV file '{source}' line {lineNumbers[marked]}, column '{labelColumn}': label '{labels[marked]}' reads as a missing value, not a " +
                $"class; give --missing-label '{labels[marked]}' to use such rows as unlabelled transfer rows, or fix the label.");
        var (classLabels, classes, classNames) = MapLabels(labels, lineNumbers, source, labelColumn, options);
        var tensor = Tensor.FromArray(features.ToArray(), labels.Count, columns.Length - 1);
        return new Dataset(tensor, classLabels, classes, Path.GetFileNameWithoutExtension(source), source, classNames);
    }

    /// <summary>
    /// Reads the CSV file at <paramref name="path"/> of features only — its header must be <paramref name="featureColumns"/>,
    /// in that order, and no label column — as rows labelled <see cref="Dataset.Unlabelled"/> of a dataset with
    /// <paramref name="classes"/> classes named <paramref name="classNames"/> (a transfer set's extra rows).
    /// </summary>
    /// <exception cref="InvalidDataException">No header, columns other than <paramref name="featureColumns"/>, no data row, a ragged row, or a non-numeric or non-finite feature.</exception>
    public static Dataset LoadUnlabelled(string path, IReadOnlyList<string> featureColumns, int classes, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(featureColumns);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var fields = new List<string>();
        var records = new CsvRecordReader(reader, path, ',');
        if (!records.Next(fields)) throw new InvalidDataException($"CSV file '{path}' is empty; expected a header row.");
        string[] columns = fields.Select(f => f.Trim()).ToArray();
        if (!columns.SequenceEqual(featureColumns))
            throw new InvalidDataException(
                $"Unlabelled CSV file '{path}' has the columns {string.Join(", ", columns)}; it needs the training file's feature columns " +
                $"{string.Join(", ", featureColumns)}, in that order, and no label column.");
        var (features, labels, _) = ReadRows(records, columns, labelIndex: -1, path, missingLabel: null);
        if (labels.Count == 0) throw new InvalidDataException($"CSV file '{path}' has a header but no data rows.");
        var unlabelled = new int[labels.Count];
        Array.Fill(unlabelled, Dataset.Unlabelled);
        return new Dataset(Tensor.FromArray(features.ToArray(), labels.Count, columns.Length), unlabelled, classes,
            Path.GetFileNameWithoutExtension(path), path, classNames);
    }

    // Every data row: its features, its label (null for none: no label column, or the missing-label marker) and line.
    private static (List<float> Features, List<string?> Labels, List<int> Lines) ReadRows(CsvRecordReader records, string[] columns, int labelIndex,
        string source, string? missingLabel)
    {
        var fields = new List<string>();
        var features = new List<float>();
        var labels = new List<string?>();
        var lineNumbers = new List<int>();
        while (records.Next(fields))
        {
            int lineNumber = records.LineNumber;
            if (fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0])) continue;
            if (fields.Count != columns.Length)
                throw new InvalidDataException(
                    $"CSV file '{source}' line {lineNumber} has {fields.Count} fields but the header has {columns.Length} columns.");
            string? label = null;
            for (int j = 0; j < fields.Count; j++)
            {
                string field = fields[j].Trim();
                if (j == labelIndex)
                {
                    if (field == missingLabel) continue;
                    if (field.Length == 0)
                        throw new InvalidDataException(
                            $"CSV file '{source}' line {lineNumber}, column {j + 1} '{columns[j]}': the label is empty; every row needs a label " +
                            "(or mark rows without one with --missing-label).");
                    label = field;
                    continue;
                }
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                    throw new InvalidDataException(
                        $"CSV file '{source}' line {lineNumber}, column {j + 1} '{columns[j]}': '{field}' is not a finite number.");
                features.Add(value);
            }
            labels.Add(label);
            lineNumbers.Add(lineNumber);
        }
        return (features, labels, lineNumbers);
    }

    // A label of null (a row without one) becomes Dataset.Unlabelled and is no class.
    private static (int[] Labels, int Classes, IReadOnlyList<string>? Names) MapLabels(
        List<string?> labels, List<int> lineNumbers, string source, string labelColumn, CsvOptions options)
    {
        var result = new int[labels.Count];
        bool integers = options.ClassNames is null && labels.TrueForAll(l => l is null || int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        if (integers)
        {
            for (int i = 0; i < labels.Count; i++)
                result[i] = labels[i] is { } label ? int.Parse(label, NumberStyles.Integer, CultureInfo.InvariantCulture) : Dataset.Unlabelled;
            int largest = Array.IndexOf(result, result.Max());
            if (options.Classes is null && result[largest] >= MaxClasses)
                throw new InvalidDataException(
                    $"CSV file '{source}' line {lineNumbers[largest]}, column '{labelColumn}': label {result[largest]} would make " +
                    $"{(long)result[largest] + 1} classes, more than the {MaxClasses} TinyKd allows; integer labels are class " +
                    "indices 0, 1, 2 … (write names for other codes, which are mapped to indices).");
            int classes = options.Classes ?? result[largest] + 1;
            for (int i = 0; i < result.Length; i++)
            {
                if (labels[i] is not null && (result[i] < 0 || result[i] >= classes))
                    throw new InvalidDataException(
                        $"CSV file '{source}' line {lineNumbers[i]}, column '{labelColumn}': label {result[i]} is outside [0, {classes - 1}].");
            }
            return (result, classes, null);
        }

        IReadOnlyList<string> names = options.ClassNames ?? labels.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        if (names.Count > MaxClasses)
            throw new InvalidDataException(
                $"CSV file '{source}' column '{labelColumn}' holds {names.Count} distinct labels, more than the {MaxClasses} classes TinyKd allows.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < names.Count; c++) index[names[c]] = c;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] is not { } label) result[i] = Dataset.Unlabelled;
            else if (!index.TryGetValue(label, out result[i]))
                throw new InvalidDataException(
                    $"CSV file '{source}' line {lineNumbers[i]}, column '{labelColumn}': label '{labels[i]}' is not one of the classes {string.Join(", ", names)}.");
        }
        return (result, names.Count, names);
    }
}
