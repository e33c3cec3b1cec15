using System.Globalization;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// What the report says beside a verdict when the run was too small to choose or to judge well: T/α chosen on one
/// seed, a spread from two seeds, or a validation split too small to choose T/α or the kept epochs by.
/// </summary>
public static class ChoiceCaveat
{
    /// <summary>
    /// The fewest validation rows the pipeline trusts to choose T/α or an epoch by: below 100 rows one row moves the
    /// validation accuracy by more than a point, as much as the pairs of a search typically differ.
    /// </summary>
    public const int MinimumValidationRows = 100;

    /// <summary>
    /// The caveats of a run with <paramref name="seeds"/> seeds and <paramref name="validationRows"/> validation rows
    /// per seed, joined with "; " ("" when there is none).
    /// </summary>
    /// <param name="seeds">How many seeds every model was trained with.</param>
    /// <param name="validationRows">The rows of each seed's validation split.</param>
    /// <param name="searched">Whether T/α were chosen among several pairs on validation.</param>
    /// <param name="keepBest">Whether each model kept its best validation epoch.</param>
    /// <exception cref="ArgumentOutOfRangeException">No seed or no validation row.</exception>
    public static string Of(int seeds, int validationRows, bool searched, bool keepBest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(validationRows, 1);
        var caveats = new List<string>();
        if (seeds == 1 && searched) caveats.Add("T and α were chosen on one seed's validation split");
        if (seeds == 2) caveats.Add("two seeds give only a rough spread: 3 or more make the verdict firmer");
        string? chosen = (searched, keepBest) switch
        {
            (true, true) => "T, α and the kept epochs",
            (true, false) => "T and α",
            (false, true) => "the kept epochs",
            _ => null,
        };
        if (chosen is not null && validationRows < MinimumValidationRows)
            caveats.Add(string.Create(CultureInfo.InvariantCulture,
                $"the validation split has {validationRows} rows, fewer than {MinimumValidationRows} (one row is {100.0 / validationRows:0.#} pp): too few to choose {chosen} reliably"));
        return string.Join("; ", caveats);
    }
}
