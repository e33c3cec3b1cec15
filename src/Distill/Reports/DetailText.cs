namespace TinyKd.Distill.Reports;

/// <summary>
/// The texts of the class-level part of a scenario that the Markdown and HTML reports share: the table of further
/// scores (one row per model with a <see cref="ModelResult.Detail"/>), the per-class table of the core models and the
/// sentence naming the positive class. Numbers as <see cref="ReportText"/> formats them.
/// </summary>
internal static class DetailText
{
    /// <summary>The core models whose per-class table, heat map and curves are shown: the first three (teacher, student alone, student distilled).</summary>
    public const int CoreModels = 3;

    /// <summary>The models of <paramref name="scenario"/> that carry a detail.</summary>
    public static IReadOnlyList<ModelResult> Detailed(ScenarioReport scenario) => scenario.Models.Where(m => m.Detail is not null).ToList();

    /// <summary>The core models of <paramref name="scenario"/> that carry a detail.</summary>
    public static IReadOnlyList<ModelResult> Core(ScenarioReport scenario) =>
        scenario.Models.Take(CoreModels).Where(m => m.Detail is not null).ToList();

    /// <summary>The positive class's view shared by the scenario's models, or null for a multi-class task.</summary>
    public static BinaryDetail? Binary(ScenarioReport scenario) => Detailed(scenario).Select(m => m.Detail!.Binary).FirstOrDefault(b => b is not null);

    /// <summary>The heading of the detail part.</summary>
    public static string Heading(ScenarioReport scenario) => $"{scenario.Name}: scores by class (first seed)";

    /// <summary>"Positive class 'yes' (the second class in sorted order; set --positive-class)." or the chosen one.</summary>
    public static string PositiveClass(BinaryDetail binary) =>
        $"Positive class: '{binary.PositiveClass}' " +
        (binary.Chosen ? "(--positive-class)." : "(the second class in sorted order; choose another with --positive-class).");

    /// <summary>Header of the scores table; the binary columns only when <paramref name="binary"/>.</summary>
    public static IReadOnlyList<string> ScoresHeader(bool binary) =>
    [
        "model", "log-loss", "Brier", "balanced accuracy (%)", "MCC", "F1 macro", "F1 micro", "F1 weighted",
        .. binary ? new[] { "ROC-AUC", "PR-AUC", "precision", "recall", "F1" } : [],
    ];

    /// <summary>One row of the scores table.</summary>
    public static IReadOnlyList<string> ScoresRow(ModelResult model, bool binary)
    {
        ClassificationDetail d = model.Detail!;
        var row = new List<string>
        {
            model.Name, F(d.LogLoss), F(d.Brier), ReportText.Fixed(100 * d.BalancedAccuracy, 2), F(d.Mcc), F(d.MacroF1), F(d.MicroF1), F(d.WeightedF1),
        };
        if (binary)
        {
            BinaryDetail? b = d.Binary;
            row.AddRange(b is null
                ? Enumerable.Repeat(ReportText.Missing, 5)
                : [F(b.RocAuc), F(b.AveragePrecision), F(b.Precision), F(b.Recall), F(b.F1)]);
        }
        return row;
    }

    /// <summary>
    /// Header of the per-class table: the class, then of each core model precision, recall and F1 (or, unless
    /// <paramref name="full"/>, F1 alone), then the support.
    /// </summary>
    public static IReadOnlyList<string> ClassHeader(IReadOnlyList<ModelResult> core, bool full) =>
    [
        "class", .. core.SelectMany(m => full ? new[] { $"{m.Name} P", $"{m.Name} R", $"{m.Name} F1" } : [$"{m.Name} F1"]), "support",
    ];

    /// <summary>The rows of the per-class table, one per class, with the columns of <see cref="ClassHeader"/>.</summary>
    public static IEnumerable<IReadOnlyList<string>> ClassRows(IReadOnlyList<ModelResult> core, bool full)
    {
        IReadOnlyList<ClassRow> first = core[0].Detail!.Classes;
        for (int c = 0; c < first.Count; c++)
        {
            var row = new List<string> { first[c].Name };
            foreach (var model in core)
            {
                ClassRow r = model.Detail!.Classes[c];
                if (full) row.AddRange([F(r.Precision), F(r.Recall)]);
                row.Add(F(r.F1));
            }
            row.Add(ReportText.Fixed(first[c].Support, 0));
            yield return row;
        }
    }

    private static string F(double value) => ReportText.Fixed(value, 4);
}
