using System.Globalization;

namespace TinyKd.Recommender;

/// <summary>The cells of the recommender report's tables, shared by the Markdown and HTML renderings.</summary>
internal static class RecommenderReportText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Column titles of the model table: name, loss, the headline metrics for all users then cold start, size and speed.</summary>
    public static IReadOnlyList<string> ModelHeader { get; } =
    [
        "model", "architecture", "loss",
        .. RecommenderReport.HeadlineMetrics.Select(m => m + " all"),
        .. RecommenderReport.HeadlineMetrics.Select(m => m + " cold"),
        "parameters", "bytes", "µs/user", "users/s", "train s",
    ];

    /// <summary>The number of leading text columns (left-aligned); the rest are numbers.</summary>
    public const int TextColumns = 3;

    /// <summary>One model's row.</summary>
    public static IReadOnlyList<string> ModelRow(RecommenderModelResult model) =>
    [
        model.Name, model.Architecture, model.Loss,
        .. RecommenderReport.HeadlineMetrics.Select(m => Summary(model.All[m])),
        .. RecommenderReport.HeadlineMetrics.Select(m => Summary(model.Cold[m])),
        model.Parameters.ToString("N0", Invariant), model.Bytes.ToString("N0", Invariant),
        Fixed(model.MicrosecondsPerUser, 0), Fixed(model.UsersPerSecond, 0), Fixed(model.TrainSeconds, 1),
    ];

    /// <summary>Column titles of the comparison table.</summary>
    public static IReadOnlyList<string> ComparisonHeader { get; } =
        ["student", "distillation", "group", "metric", "gain", "95% interval", "seed spread", "verdict"];

    /// <summary>One comparison's row.</summary>
    public static IReadOnlyList<string> ComparisonRow(RecommenderComparison c) =>
    [
        c.Student, c.Distillation, c.Group, c.Metric, Signed(c.Result.Gain),
        $"[{Signed(c.Result.Low)}, {Signed(c.Result.High)}]", Fixed(c.Result.SeedSpread, 4), RankingVerdict.Name(c.Result.Verdict),
    ];

    /// <summary>The title of the int8 section.</summary>
    public const string Int8Title = "int8 serving against fp32 (same model, paired by user and seed)";

    /// <summary>Column titles of the int8 table.</summary>
    public static IReadOnlyList<string> Int8Header { get; } =
        ["model", "group", "metric", "fp32", "int8", "change", "95% interval", "seed spread", "verdict", "bytes fp32 → int8"];

    /// <summary>The number of leading text columns of the int8 table.</summary>
    public const int Int8TextColumns = 3;

    /// <summary>The column of the int8 table's verdict.</summary>
    public const int Int8VerdictColumn = 8;

    /// <summary>One int8 comparison's row.</summary>
    public static IReadOnlyList<string> Int8Row(RecommenderInt8Comparison c) =>
    [
        c.Model, c.Group, c.Metric, Fixed(c.Fp32, 4), Fixed(c.Int8, 4), Signed(c.Change.Gain),
        $"[{Signed(c.Change.Low)}, {Signed(c.Change.High)}]", Fixed(c.Change.SeedSpread, 4), RankingVerdict.Name(c.Change.Verdict),
        $"{c.Fp32Bytes.ToString("N0", Invariant)} → {c.Int8Bytes.ToString("N0", Invariant)} ({Fixed((double)c.Fp32Bytes / c.Int8Bytes, 2)}×)",
    ];

    /// <summary>"0.0312 ± 0.0021 [0.0270, 0.0355]": mean ± seed std and the bootstrap interval over users.</summary>
    public static string Summary(SeedSummary s) => $"{Fixed(s.Mean, 4)} ± {Fixed(s.Std, 4)} [{Fixed(s.Low, 4)}, {Fixed(s.High, 4)}]";

    /// <summary>The summary lines at the top of the report (a line whose value is unknown, e.g. the recipe of a report read from PyTorch's JSON, is left out).</summary>
    public static IReadOnlyList<(string Label, string Value)> Summary(RecommenderReport report) =>
        SummaryLines(report).Where(line => !string.IsNullOrWhiteSpace(line.Value)).ToList();

    private static IReadOnlyList<(string Label, string Value)> SummaryLines(RecommenderReport report) =>
    [
        ("data", $"{report.Dataset}: {report.Data.Users:N0} users, {report.Data.Items:N0} items, {report.Data.Ratings:N0} ratings, " +
                 $"{report.Data.Positives:N0} positives (rating ≥ 4); leave-last-out test and validation; {report.Data.EvaluatedUsers:N0} evaluated users, " +
                 $"{report.Data.ColdStartUsers:N0} cold start (≤ 10 training positives); full ranking of every unseen item"),
        ("recipe", report.Recipe),
        ("seeds", string.Join(", ", report.Seeds)),
        ("cells", "mean ± std over the seeds [95% bootstrap interval over users of the seed-averaged values]"),
        ("verdict", "gain = mean over users of the seed-averaged paired difference; wins when the 95% interval is above 0 and the gain exceeds the spread of the per-seed gains; loses in mirror; otherwise ties"),
        ("wins", Verdicts(report, Verdict.Wins)),
        ("losses", Verdicts(report, Verdict.Loses)),
        ("machine", report.Machine),
        ("wall time", $"{Fixed(report.WallSeconds, 0)} s"),
    ];

    /// <summary>
    /// Per headline metric, the distilled students whose verdict is <paramref name="verdict"/>, with their groups:
    /// "NDCG@10: none; AUC: mf + listwise (all, cold)".
    /// </summary>
    public static string Verdicts(RecommenderReport report, Verdict verdict) =>
        string.Join("; ", RecommenderReport.HeadlineMetrics.Select(metric =>
        {
            var models = report.Comparisons.Where(c => c.Metric == metric && c.Result.Verdict == verdict)
                .GroupBy(c => $"{c.Student} + {c.Distillation}")
                .Select(g => $"{g.Key} ({string.Join(", ", g.Select(c => c.Group))})").ToList();
            return $"{metric}: {(models.Count == 0 ? "none" : string.Join(", ", models))}";
        }));

    /// <summary>A number with a fixed count of decimals, or "—" when not finite.</summary>
    public static string Fixed(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(Invariant), Invariant) : "—";

    // "+0.0012", "−0.0003", and "−0.0000" for a negative value that rounds to zero, so an interval ending just below 0
    // never reads as touching it.
    private static string Signed(double value) =>
        !double.IsFinite(value) ? "—"
        : value == 0 ? "0.0000"
        : (value < 0 ? "−" : "+") + Math.Abs(value).ToString("0.0000", Invariant);
}
