using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

/// <summary>
/// A small pipeline report for the report tests: two scenarios of three models trained with two seeds (curves of
/// different lengths, as early stopping makes them) and a 4 × 3 temperature/α search with T 4, α 0.5 chosen.
/// </summary>
internal static class ReportFixture
{
    public static readonly float[] Temperatures = [1, 2, 4, 8];
    public static readonly float[] Alphas = [0.1f, 0.5f, 0.9f];

    /// <summary>The sample report, every model passed through <paramref name="edit"/> when given.</summary>
    public static PipelineReport Sample(Func<ModelResult, ModelResult>? edit = null)
    {
        edit ??= m => m;
        return new PipelineReport("TinyKd pipeline", "Fashion-MNIST sample: 6,000 train, 1,000 test", "AdamW 1e-3, cosine, batch 128, 20 epochs",
            [1, 2],
            [
                new ScenarioReport("all labels", "Every model trains on all 6,000 labelled images.",
                    Models(0, edit), Search(), new Comparison(0.35, 0.08, "wins")),
                new ScenarioReport("few labels", "The students see 600 labels; the teacher's soft targets cover 5,400 more.",
                    Models(0.05, edit), Search(), new Comparison(-1.2, 0.71, "loses")),
            ],
            WallSeconds: 321.25, Machine: "2 cores, Linux, AVX-512");
    }

    /// <summary>Teacher, student alone, student distilled; test accuracy lowered by <paramref name="drop"/>.</summary>
    private static List<ModelResult> Models(double drop, Func<ModelResult, ModelResult> edit) =>
    [
        edit(Model("teacher", "784-256-256-10", "", [0.90 - drop, 0.92 - drop], 1_234_567, 4_938_268, 12.5)),
        edit(Model("student alone", "784-32-10", "", [0.85 - drop, 0.86 - drop], 25_450, 101_800, 2.25)),
        edit(Model("student distilled", "784-32-10", "T 4, α 0.5", [0.87 - drop, 0.88 - drop], 25_450, 101_800, 2.25)),
    ];

    private static ModelResult Model(string name, string architecture, string settings, double[] accuracy, long parameters, long bytes,
        double microseconds) =>
        new(name, architecture, settings, SeedStat.From(accuracy), SeedStat.From([0.8, 0.81]), SeedStat.From([0.02, 0.03]),
            parameters, bytes, microseconds, TrainSeconds: 42, Curves: [[0.5, 0.7, 0.8], [0.55, 0.75]], SamplesPerSecond: 1e6 / microseconds);

    /// <summary>
    /// The sample report with a pruned stage in the first scenario: the distilled student pruned to 90 % (two seeds,
    /// no curves) and its paired cost against the dense distilled student.
    /// </summary>
    public static PipelineReport WithPruning()
    {
        PipelineReport report = Sample();
        ScenarioReport first = report.Scenarios[0];
        var pruned = new ModelResult("student pruned 90%", "784-32-10", "gradual, 8×1 blocks", SeedStat.From([0.865, 0.875]),
            SeedStat.From([0.8, 0.81]), SeedStat.From([0.02, 0.03]), 2_700, 12_345, 1.125, TrainSeconds: 7, Curves: [[], []],
            Sparsity: 0.9, SamplesPerSecond: 123_456.4);
        var scenario = first with { Models = [.. first.Models, pruned], Pruning = [new PruningCost(pruned.Name, 0.9, -0.5, 0.2)] };
        return report with { Scenarios = [scenario, report.Scenarios[1]] };
    }

    /// <summary>Validation accuracy 0.80 + 0.01 · (row · 3 + column).</summary>
    private static List<SearchCell> Search() =>
        Temperatures.SelectMany((t, row) => Alphas.Select((a, column) =>
            new SearchCell(t, a, 0.80 + 0.01 * (row * Alphas.Length + column), Chosen: t == 4 && a == 0.5f))).ToList();
}
