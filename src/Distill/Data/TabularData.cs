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
    /// <param name="trainPath">The training file.</param>
    /// <param name="testPath">The test file; every row needs a label.</param>
    /// <param name="labelColumn">The label column, or null for the last one.</param>
    /// <param name="classNames">A saved model's classes, in its order, or null for the training file's.</param>
    /// <param name="missingLabel">The label cell that marks a training row without a label (<see cref="CsvOptions.MissingLabel"/>), or null.</param>
    public static (Dataset Train, Dataset Test) LoadCsv(string trainPath, string testPath, string? labelColumn = null,
        IReadOnlyList<string>? classNames = null, string? missingLabel = null)
    {
        string[] columns = CsvDataset.ReadHeader(trainPath);
        string[] testColumns = CsvDataset.ReadHeader(testPath);
        if (!columns.SequenceEqual(testColumns))
            throw new InvalidDataException(
                $"CSV test file '{testPath}' has the columns {string.Join(", ", testColumns)}; the training file '{trainPath}' has " +
                $"{string.Join(", ", columns)} — the test file needs the same columns in the same order.");
        string label = labelColumn ?? columns[^1];
        Dataset train = CsvDataset.Load(trainPath, label, new CsvOptions { ClassNames = classNames, MissingLabel = missingLabel });
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

    /// <summary>
    /// The feature columns of the training CSV file <paramref name="trainPath"/>: every column but <paramref name="labelColumn"/>
    /// (the last one when null), in order — the columns an unlabelled CSV file must have.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty or has no such label column.</exception>
    public static string[] FeatureColumns(string trainPath, string? labelColumn)
    {
        string[] columns = CsvDataset.ReadHeader(trainPath);
        string label = labelColumn ?? columns[^1];
        if (!columns.Contains(label))
            throw new InvalidDataException($"CSV file '{trainPath}' has no label column '{label}'; columns found: {string.Join(", ", columns)}.");
        return columns.Where(c => c != label).ToArray();
    }

    /// <summary>
    /// Reads rows without labels for the transfer set of a model trained on <paramref name="train"/>: a CSV file
    /// whose header is <paramref name="featureColumns"/> (the training CSV's feature columns, <see cref="FeatureColumns"/>),
    /// or a .npy file of float32 features [N, F] with F the training set's feature count. Every row is
    /// <see cref="Dataset.Unlabelled"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, empty, holds a non-finite value or has other columns than the training set.</exception>
    /// <exception cref="ArgumentException">The path is neither .csv nor .npy, or a CSV file without <paramref name="featureColumns"/>.</exception>
    public static Dataset LoadUnlabelled(string path, Dataset train, IReadOnlyList<string>? featureColumns)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!File.Exists(path)) throw new FileNotFoundException($"Unlabelled file '{path}' does not exist.", path);
        if (IsCsv(path))
        {
            if (featureColumns is null)
                throw new ArgumentException($"The unlabelled CSV file '{path}' needs CSV training data to take its columns from.", nameof(featureColumns));
            return CsvDataset.LoadUnlabelled(path, featureColumns, train.Classes, train.ClassNames);
        }
        if (!IsNpy(path)) throw new ArgumentException($"Unlabelled file '{path}' must be a .csv or a .npy file.", nameof(path));
        float[] features = NpyFile.ReadFloat32Matrix(path, out int rows, out int columns);
        if (rows == 0) throw new InvalidDataException($"NumPy unlabelled file '{path}' is empty: shape [{rows}, {columns}].");
        if (columns != train.FeatureCount)
            throw new InvalidDataException($"NumPy unlabelled file '{path}' has {columns} features per row; the training data '{train.Source}' has {train.FeatureCount}.");
        RejectNonFinite(features, columns, path);
        var labels = new int[rows];
        Array.Fill(labels, Dataset.Unlabelled);
        return new Dataset(Tensor.FromArray(features, rows, columns), labels, train.Classes, Path.GetFileNameWithoutExtension(path), path, train.ClassNames);
    }

    private static void RejectNonFinite(float[] features, int columns, string path)
    {
        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
                throw new InvalidDataException(
                    $"NumPy features file '{path}' row {i / columns}, column {i % columns}: {features[i]} is not a finite number.");
        }
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
        RejectNonFinite(features, columns, featuresPath);
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
