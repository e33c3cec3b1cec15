using System.Globalization;
using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Loads a user's own classification data as a training file and a test file of the same kind: two CSV files (a
/// header row, one label column, every other column a numeric feature) or two NumPy pairs — features
/// <c>X.npy</c> (float32 [N, F]) with their labels beside them in <c>X.labels.npy</c> (int32 or int64 [N]). The
/// test file is read with the training file's classes: a test label the training file lacks is an error, never a
/// new class.
/// </summary>
public static class TabularData
{
    /// <summary>What replaces <c>.npy</c> in a features file's name to name its labels file.</summary>
    public const string LabelsSuffix = ".labels.npy";

    /// <summary>True when <paramref name="path"/> names a CSV file (extension <c>.csv</c>, any case).</summary>
    public static bool IsCsv(string path) => Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="path"/> names a .npy file (extension <c>.npy</c>, any case).</summary>
    public static bool IsNpy(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>The labels file of the features file <paramref name="featuresPath"/>: <c>X.npy</c> → <c>X.labels.npy</c>.</summary>
    public static string LabelsPath(string featuresPath) => Path.ChangeExtension(featuresPath, null) + LabelsSuffix;

    /// <summary>
    /// Reads the CSV files <paramref name="trainPath"/> and <paramref name="testPath"/>; the labels are in column
    /// <paramref name="labelColumn"/>, or the last column when null. The test file must have the training file's
    /// columns in the same order. The classes are the training file's — or, when <paramref name="classNames"/> is
    /// given (a saved model's), those names in that order for both files.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Either file is malformed (see <see cref="CsvDataset.Load(string, string, CsvOptions?)"/>), the headers differ,
    /// or a label is not one of the classes (the message names the file, line, column and label).
    /// </exception>
    public static (Dataset Train, Dataset Test) LoadCsv(string trainPath, string testPath, string? labelColumn = null,
        IReadOnlyList<string>? classNames = null)
    {
        string[] columns = CsvDataset.ReadHeader(trainPath);
        string[] testColumns = CsvDataset.ReadHeader(testPath);
        if (!columns.SequenceEqual(testColumns))
            throw new InvalidDataException(
                $"CSV test file '{testPath}' has the columns {string.Join(", ", testColumns)}; the training file '{trainPath}' has " +
                $"{string.Join(", ", columns)} — the test file needs the same columns in the same order.");
        string label = labelColumn ?? columns[^1];
        Dataset train = CsvDataset.Load(trainPath, label, classNames is null ? null : new CsvOptions { ClassNames = classNames });
        IReadOnlyList<string> names = train.ClassNames
            ?? Enumerable.Range(0, train.Classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        Dataset test = CsvDataset.Load(testPath, label, new CsvOptions { ClassNames = names });
        return (train, test);
    }

    /// <summary>
    /// Reads the features files <paramref name="trainPath"/> and <paramref name="testPath"/> and the labels beside
    /// each (<see cref="LabelsPath"/>). The classes are 0 … the training file's largest label.
    /// </summary>
    /// <exception cref="FileNotFoundException">A features or labels file is missing (named).</exception>
    /// <exception cref="InvalidDataException">
    /// A file is malformed, empty, the label count differs from the row count, a label is negative or (test) outside
    /// the training file's classes, or the test file's feature count differs.
    /// </exception>
    public static (Dataset Train, Dataset Test) LoadNpy(string trainPath, string testPath)
    {
        Dataset train = LoadNpyPair(trainPath, null);
        Dataset test = LoadNpyPair(testPath, train.Classes);
        if (test.FeatureCount != train.FeatureCount)
            throw new InvalidDataException(
                $"NumPy test file '{testPath}' has {test.FeatureCount} features per row; the training file '{trainPath}' has {train.FeatureCount}.");
        return (train, test);
    }

    private static Dataset LoadNpyPair(string featuresPath, int? classes)
    {
        string labelsPath = LabelsPath(featuresPath);
        if (!File.Exists(featuresPath)) throw new FileNotFoundException($"NumPy features file '{featuresPath}' does not exist.", featuresPath);
        if (!File.Exists(labelsPath))
            throw new FileNotFoundException(
                $"NumPy features file '{featuresPath}' has no labels file '{labelsPath}' beside it; TinyKd reads the labels of " +
                $"X.npy from X{LabelsSuffix} (int32 or int64 [N]).", labelsPath);
        float[] features = NpyFile.ReadFloat32Matrix(featuresPath, out int rows, out int columns);
        if (rows == 0 || columns == 0)
            throw new InvalidDataException($"NumPy features file '{featuresPath}' is empty: shape [{rows}, {columns}].");
        int[] labels = NpyFile.ReadLabels(labelsPath);
        if (labels.Length != rows)
            throw new InvalidDataException(
                $"NumPy labels file '{labelsPath}' holds {labels.Length} labels; its features file '{featuresPath}' has {rows} rows.");
        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
                throw new InvalidDataException(
                    $"NumPy features file '{featuresPath}' row {i / columns}, column {i % columns}: {features[i]} is not a finite number.");
        }
        int count = classes ?? labels.Max() + 1;
        if (count > CsvDataset.MaxClasses)
            throw new InvalidDataException(
                $"NumPy labels file '{labelsPath}': label {count - 1} would make {count} classes, more than the {CsvDataset.MaxClasses} TinyKd allows.");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)count)
                throw new InvalidDataException(
                    $"NumPy labels file '{labelsPath}' index {i}: label {labels[i]} is outside " +
                    $"{(classes is null ? $"[0, {count - 1}]" : $"the training file's classes 0..{count - 1}")}.");
        }
        string name = Path.GetFileNameWithoutExtension(featuresPath);
        return new Dataset(Tensor.FromArray(features, rows, columns), labels, count, name, $"{featuresPath} + {labelsPath}");
    }
}
