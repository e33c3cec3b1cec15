using System.Globalization;

namespace TinyKd.Distill.Reports;

/// <summary>
/// The texts the Markdown and HTML reports share: the summary lines, the model table's header and cells, the verdict.
/// Every number is formatted with the invariant culture, so a report reads the same on every machine; a value that is
/// not finite is shown as <see cref="Missing"/>.
/// </summary>
internal static class ReportText
{
    /// <summary>Stands for an empty setting or a value that is not a finite number.</summary>
    public const string Missing = "—";

    /// <summary>The first columns of <see cref="ModelHeader"/> hold text; the others hold numbers (aligned right).</summary>
    public const int TextColumns = 3;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Column headers of the model table.</summary>
    public static IReadOnlyList<string> ModelHeader { get; } =
    [
        "model", "architecture", "settings", "test accuracy (%)", "macro-F1", "ECE", "sparsity (%)", "parameters", "model bytes",
        "µs/sample b1", "samples/s b256", "train time (s)",
    ];

    /// <summary>The report's summary as (label, value) lines: data, recipe, seeds, machine, wall time.</summary>
    public static IReadOnlyList<(string Label, string Value)> Summary(PipelineReport report)
    {
        int count = report.Seeds.Count;
        string seeds = count == 0
            ? "none"
            : $"{string.Join(", ", report.Seeds.Select(s => s.ToString(Invariant)))} ({count} {(count == 1 ? "seed" : "seeds")})";
        return
        [
            ("Data", report.Data),
            ("Recipe", report.Recipe),
            ("Seeds", seeds),
            ("Machine", report.Machine),
            ("Wall time", $"{Fixed(report.WallSeconds, 1)} s"),
        ];
    }

    /// <summary>One row of the model table, in the order of <see cref="ModelHeader"/>.</summary>
    public static IReadOnlyList<string> ModelRow(ModelResult model) =>
    [
        model.Name,
        model.Architecture,
        string.IsNullOrWhiteSpace(model.Settings) ? Missing : model.Settings,
        Accuracy(model.Accuracy),
        Fraction(model.MacroF1),
        Fraction(model.Ece),
        Fixed(100 * model.Sparsity, 1),
        Fixed(model.Parameters, 0),
        Fixed(model.ModelBytes, 0),
        Fixed(model.MicrosecondsPerSample, 2),
        Fixed(model.SamplesPerSecond, 0),
        Fixed(model.TrainSeconds, 1),
    ];

    /// <summary>
    /// A rate in [0, 1] as a percentage with two decimals: "97.12 ± 0.08 (97.04–97.20)" over several seeds, the mean
    /// alone ("97.12") over one seed, whose standard deviation says nothing.
    /// </summary>
    public static string Accuracy(SeedStat stat)
    {
        string mean = Fixed(100 * stat.Mean, 2);
        if (stat.Count <= 1 || mean == Missing) return mean;
        return $"{mean} ± {Fixed(100 * stat.Std, 2)} ({Fixed(100 * stat.Min, 2)}–{Fixed(100 * stat.Max, 2)})";
    }

    /// <summary>A score in [0, 1] with four decimals: "0.9712 ± 0.0008" over several seeds, "0.9712" over one.</summary>
    public static string Fraction(SeedStat stat)
    {
        string mean = Fixed(stat.Mean, 4);
        if (stat.Count <= 1 || mean == Missing) return mean;
        return $"{mean} ± {Fixed(stat.Std, 4)}";
    }

    /// <summary>"distilled student vs student alone: +0.35 pp (seed spread 0.08 pp): wins", then " — caution: …" with a caveat.</summary>
    public static string Verdict(Comparison comparison) =>
        $"distilled student vs student alone: {Signed(comparison.GainPoints)} pp " +
        $"(seed spread {Fixed(comparison.SpreadPoints, 2)} pp): {comparison.Verdict}" +
        (comparison.Caveat.Length > 0 ? $" — caution: {comparison.Caveat}" : "");

    /// <summary>"student pruned 90% vs student distilled: -0.21 pp (seed spread 0.10 pp)".</summary>
    public static string PruningCost(PruningCost cost) =>
        $"{cost.Model} vs student distilled: {Signed(cost.ChangePoints)} pp (seed spread {Fixed(cost.SpreadPoints, 2)} pp)";

    /// <summary>A T or α value as written in the search grid: the shortest text that reads back the same float.</summary>
    public static string Hyperparameter(float value) => value.ToString(Invariant);

    /// <summary>
    /// <paramref name="value"/> with <paramref name="decimals"/> decimals and thousands separators ("1,234.5"); a value
    /// that rounds to zero prints without a minus sign.
    /// </summary>
    public static string Fixed(double value, int decimals)
    {
        if (!double.IsFinite(value)) return Missing;
        double rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0) rounded = 0;
        return rounded.ToString("N" + decimals.ToString(Invariant), Invariant);
    }

    /// <summary><paramref name="value"/> with two decimals and an explicit sign ("+0.35", "-1.20", "+0.00").</summary>
    public static string Signed(double value)
    {
        string text = Fixed(value, 2);
        return text == Missing || text.StartsWith('-') ? text : "+" + text;
    }
}
