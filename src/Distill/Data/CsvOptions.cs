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

    /// <summary>
    /// The label cell that marks a row whose label is unknown (compared after trimming; "" for an empty cell): such a
    /// row is read as <see cref="Dataset.Unlabelled"/>, never as a class. Null, the default: every row needs a label
    /// and an empty one is an error.
    /// </summary>
    public string? MissingLabel { get; init; }
}
