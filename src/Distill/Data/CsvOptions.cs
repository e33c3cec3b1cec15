namespace TinyKd.Distill.Data;

/// <summary>Options for <see cref="CsvDataset.Load(string, string, CsvOptions?)"/>.</summary>
public sealed class CsvOptions
{
    /// <summary>The field separator; a comma by default.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>
    /// For integer labels: the number of classes, when the file may lack the highest ones (a test split); by default
    /// the largest label + 1. Ignored for string labels.
    /// </summary>
    public int? Classes { get; init; }

    /// <summary>
    /// For string labels: the class names in index order, so that a second file maps labels as the first did (pass
    /// the training set's <see cref="Dataset.ClassNames"/>). By default the distinct labels sorted ordinally.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}
