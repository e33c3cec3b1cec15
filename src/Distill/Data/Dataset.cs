using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// A classification dataset held in memory: features as a CPU tensor [N, D] (float32) and one class index in
/// [0, <see cref="Classes"/>) per row, or <see cref="Unlabelled"/> for a row without a label (a transfer-set
/// sample that only a teacher's soft targets can teach). The dataset owns its feature tensor; <see cref="Standardizer"/> changes it
/// in place, and <see cref="Subset"/> and <see cref="Split"/> copy rows into new datasets.
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps <paramref name="features"/> (not copied) and <paramref name="labels"/> as a dataset.</summary>
    /// <param name="features">A CPU tensor [N, D].</param>
    /// <param name="labels">N class indices, each in [0, <paramref name="classes"/>) or <see cref="Unlabelled"/>.</param>
    /// <param name="classes">The number of classes, at least 1.</param>
    /// <param name="name">A short name for logs, e.g. <c>fashion-mnist/train</c>.</param>
    /// <param name="source">Where the data came from (paths, a resource name); <paramref name="name"/> when null.</param>
    /// <param name="classNames">Optional names of the classes, <paramref name="classes"/> of them.</param>
    /// <exception cref="ArgumentException">
    /// The features are not a rank-2 CPU tensor, the label count differs from N, a label is out of range, or the class
    /// names do not number <paramref name="classes"/>.
    /// </exception>
    public Dataset(Tensor features, int[] labels, int classes, string name, string? source = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(name);
        if (features.IsEmpty || features.Rank != 2 || features.Storage is not CpuStorage)
            throw new ArgumentException(
                $"Dataset '{name}' needs a CPU feature tensor [N, D]; got {(features.IsEmpty ? "an empty tensor" : $"{features.Shape} on '{features.Backend.Name}'")}.",
                nameof(features));
        if (labels.Length != features.Shape[0])
            throw new ArgumentException(
                $"Dataset '{name}' has {features.Shape[0]} feature rows but {labels.Length} labels.", nameof(labels));
        if (classes < 1) throw new ArgumentException($"Dataset '{name}' needs at least one class; got {classes}.", nameof(classes));
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes && labels[i] != Unlabelled)
                throw new ArgumentException(
                    $"Dataset '{name}': label {labels[i]} at index {i} is outside [0, {classes - 1}].", nameof(labels));
        }
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException(
                $"Dataset '{name}' has {classes} classes but {classNames.Count} class names.", nameof(classNames));
        Features = features;
        Labels = labels;
        Classes = classes;
        Name = name;
        Source = source ?? name;
        ClassNames = classNames;
    }

    /// <summary>The label of a row without one (−1, what the cross-entropy leaves out).</summary>
    public const int Unlabelled = TinyKd.Tensors.ComputeChecks.Unlabelled;

    /// <summary>The features, a CPU tensor [N, D].</summary>
    public Tensor Features { get; }

    /// <summary>The class index of each row, N of them, each in [0, <see cref="Classes"/>) or <see cref="Unlabelled"/>.</summary>
    public int[] Labels { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>A short name for logs and reports.</summary>
    public string Name { get; }

    /// <summary>Where the data came from: file paths or an embedded resource.</summary>
    public string Source { get; }

    /// <summary>The class names in class-index order, or null when unknown.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The number of examples N.</summary>
    public int Count => Features.Shape[0];

    /// <summary>The number of features D per example.</summary>
    public int FeatureCount => Features.Shape[1];

    /// <summary>The features of example <paramref name="index"/> (a view of D floats, no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, N).</exception>
    public Span<float> Row(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"Row {index} is outside [0, {Count}) of dataset '{Name}'.");
        return Features.Span.Slice(index * FeatureCount, FeatureCount);
    }

    /// <summary>The number of rows that carry a label.</summary>
    public int LabelledCount => Labels.Count(label => label != Unlabelled);

    /// <summary>The number of labelled examples of each class, indexed by class.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[Classes];
        foreach (int label in Labels) if (label != Unlabelled) counts[label]++;
        return counts;
    }

    /// <summary>
    /// A copy whose rows outside <paramref name="keepLabels"/> are marked <see cref="Unlabelled"/> (features and row
    /// order unchanged): a transfer set that keeps the labels of a few samples only.
    /// </summary>
    /// <exception cref="ArgumentException">An index is outside [0, N).</exception>
    public Dataset WithLabelsOnly(ReadOnlySpan<int> keepLabels, string? name = null)
    {
        var labels = new int[Count];
        Array.Fill(labels, Unlabelled);
        foreach (int row in keepLabels)
        {
            if ((uint)row >= (uint)Count)
                throw new ArgumentException($"Index {row} is outside [0, {Count}) of dataset '{Name}'.", nameof(keepLabels));
            labels[row] = Labels[row];
        }
        var features = Tensor.FromArray(Features.ToArray(), Count, FeatureCount);
        return new Dataset(features, labels, Classes, name ?? $"{Name}[{keepLabels.Length} labelled]", Source, ClassNames);
    }

    /// <summary>A new dataset holding copies of the rows at <paramref name="indices"/>, in that order.</summary>
    /// <exception cref="ArgumentException">An index is outside [0, N).</exception>
    public Dataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        int d = FeatureCount;
        var features = new float[indices.Length * d];
        var labels = new int[indices.Length];
        var source = Features.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int row = indices[i];
            if ((uint)row >= (uint)Count)
                throw new ArgumentException($"Index {row} at position {i} is outside [0, {Count}) of dataset '{Name}'.", nameof(indices));
            source.Slice(row * d, d).CopyTo(features.AsSpan(i * d, d));
            labels[i] = Labels[row];
        }
        return new Dataset(Tensor.FromArray(features, indices.Length, d), labels, Classes,
            name ?? $"{Name}[{indices.Length} of {Count}]", Source, ClassNames);
    }

    /// <summary>A new dataset with the rows of this one followed by those of <paramref name="more"/> (copies).</summary>
    /// <exception cref="ArgumentException">The feature counts or class counts differ (both are named).</exception>
    public Dataset Append(Dataset more, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(more);
        if (more.FeatureCount != FeatureCount || more.Classes != Classes)
            throw new ArgumentException(
                $"Dataset '{more.Name}' ({more.FeatureCount} features, {more.Classes} classes) cannot follow '{Name}' ({FeatureCount} features, {Classes} classes).", nameof(more));
        float[] features = [.. Features.ToArray(), .. more.Features.ToArray()];
        int[] labels = [.. Labels, .. more.Labels];
        return new Dataset(Tensor.FromArray(features, Count + more.Count, FeatureCount), labels, Classes, name ?? $"{Name}+{more.Name}", $"{Source}; {more.Source}", ClassNames);
    }

    /// <summary>
    /// Splits the examples at random (seeded, not stratified) into a training part and a validation part of
    /// round(N × <paramref name="validationFraction"/>) examples; each part keeps the original row order.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, ulong seed)
    {
        var (train, validation) = SplitRows(validationFraction, seed);
        return (Subset(train, $"{Name}/train-split"), Subset(validation, $"{Name}/validation-split"));
    }

    /// <summary>The row indices <see cref="Split"/> puts in each part, each in ascending order.</summary>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public (int[] Train, int[] Validation) SplitRows(double validationFraction, ulong seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentException($"The validation fraction must be in (0, 1); got {validationFraction}.", nameof(validationFraction));
        int validationCount = (int)Math.Round(Count * validationFraction);
        if (validationCount < 1 || validationCount > Count - 1)
            throw new ArgumentException(
                $"A validation fraction of {validationFraction} of {Count} examples leaves {validationCount} for validation " +
                $"and {Count - validationCount} for training; both need at least one.", nameof(validationFraction));
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new Rng(seed).Shuffle<int>(order);
        int[] validation = order[..validationCount], train = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(train);
        return (train, validation);
    }

    /// <summary>
    /// The row indices of a stratified split: each class's labelled rows are shuffled (seeded) and
    /// round(count × <paramref name="validationFraction"/>) of them go to validation, so that each class keeps its
    /// share in both parts; unlabelled rows stay in training. Each part is in ascending order.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public (int[] Train, int[] Validation) StratifiedSplitRows(double validationFraction, ulong seed) =>
        StratifiedSplitRows(Labels, Classes, validationFraction, seed);

    /// <summary>
    /// <see cref="StratifiedSplitRows(double, ulong)"/> over positions of <paramref name="labels"/> (class indices in
    /// [0, <paramref name="classes"/>) or <see cref="Unlabelled"/>) alone: no features needed, none copied.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public static (int[] Train, int[] Validation) StratifiedSplitRows(IReadOnlyList<int> labels, int classes, double validationFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentException($"The validation fraction must be in (0, 1); got {validationFraction}.", nameof(validationFraction));
        int count = labels.Count;
        var rng = new Rng(seed);
        var validation = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            int[] rows = Enumerable.Range(0, count).Where(i => labels[i] == c).ToArray();
            rng.Shuffle<int>(rows);
            validation.AddRange(rows[..(int)Math.Round(rows.Length * validationFraction)]);
        }
        if (validation.Count < 1 || validation.Count > count - 1)
            throw new ArgumentException(
                $"A stratified validation fraction of {validationFraction} of {count} examples leaves {validation.Count} for " +
                $"validation and {count - validation.Count} for training; both need at least one.", nameof(validationFraction));
        var inValidation = new HashSet<int>(validation);
        int[] train = Enumerable.Range(0, count).Where(i => !inValidation.Contains(i)).ToArray();
        int[] sorted = [.. validation.Order()];
        return (train, sorted);
    }

    /// <summary>The name, size and class count, e.g. <c>fashion-mnist/train: 60000 × 784, 10 classes</c>.</summary>
    public override string ToString() => $"{Name}: {Count} × {FeatureCount}, {Classes} classes";
}
