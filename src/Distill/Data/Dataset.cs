using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// A labelled classification dataset held in memory: features as a CPU tensor [N, D] (float32) and one class index
/// in [0, <see cref="Classes"/>) per row. The dataset owns its feature tensor; <see cref="Standardizer"/> changes it
/// in place, and <see cref="Subset"/> and <see cref="Split"/> copy rows into new datasets.
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps <paramref name="features"/> (not copied) and <paramref name="labels"/> as a dataset.</summary>
    /// <param name="features">A CPU tensor [N, D].</param>
    /// <param name="labels">N class indices, each in [0, <paramref name="classes"/>).</param>
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
            if ((uint)labels[i] >= (uint)classes)
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

    /// <summary>The features, a CPU tensor [N, D].</summary>
    public Tensor Features { get; }

    /// <summary>The class index of each row, N of them, each in [0, <see cref="Classes"/>).</summary>
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

    /// <summary>The number of examples of each class, indexed by class.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[Classes];
        foreach (int label in Labels) counts[label]++;
        return counts;
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

    /// <summary>
    /// Splits the examples at random (seeded, not stratified) into a training part and a validation part of
    /// round(N × <paramref name="validationFraction"/>) examples; each part keeps the original row order.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, ulong seed)
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
        var validation = order.AsSpan(0, validationCount);
        var train = order.AsSpan(validationCount);
        validation.Sort();
        train.Sort();
        return (Subset(train, $"{Name}/train-split"), Subset(validation, $"{Name}/validation-split"));
    }

    /// <summary>The name, size and class count, e.g. <c>fashion-mnist/train: 60000 × 784, 10 classes</c>.</summary>
    public override string ToString() => $"{Name}: {Count} × {FeatureCount}, {Classes} classes";
}
