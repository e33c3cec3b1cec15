using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Reports;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Data;

namespace TinyKd.Tests.Pipeline;

// The T/α search trains every pair with every seed and keeps the pair with the best mean validation accuracy; the
// report shows the mean and each seed's table, and says in words when the run is too small to choose by.
public class SearchOverSeedsTests
{
    private static (Dataset Train, Dataset Test) Table(int trainRows)
    {
        Dataset Rows(int count, int seed, string name)
        {
            var (features, labels) = OwnDataFiles.Rows(count, seed);
            return new Dataset(TinyKd.Tensors.Tensor.FromArray(features, count, features.Length / count), labels, 3, name);
        }
        Dataset train = Rows(trainRows, 1, "train"), test = Rows(90, 2, "test");
        var standardizer = Standardizer.Fit(train, StandardizationMode.PerFeature);
        standardizer.Apply(train);
        standardizer.Apply(test);
        return (train, test);
    }

    private static (ScenarioReport Report, string Log) Run(int trainRows, IReadOnlyList<ulong> seeds, float[] temperatures)
    {
        var (train, test) = Table(trainRows);
        var options = new PipelineOptions
        {
            Teacher = MlpSpec.Parse("12-32-3", Activation.Relu, 0.5f),
            Student = MlpSpec.Parse("12-8-3"),
            TeacherEpochs = 40,
            StudentEpochs = 40,
            Seeds = seeds,
            Scenarios = [Scenario.AllLabels],
            Temperatures = temperatures,
            Alphas = [0.5f],
            PruneSparsities = [],
            Int8 = false,
        };
        using var dir = new TempDirectory();
        var log = new StringWriter();
        ScenarioReport report = new DistillationPipeline(options, log).Run(train, test, dir.Path).Single();
        return (report, log.ToString());
    }

    [Fact]
    public void Every_pair_is_trained_with_every_seed_and_the_best_mean_is_kept()
    {
        var (report, log) = Run(300, [1, 2], [1f, 8f]);
        foreach (ulong seed in new ulong[] { 1, 2 })
            foreach (string t in new[] { "1", "8" })
                Assert.Contains($"all labels, seed {seed}: student distilled (T {t}, α 0.5)", log);
        Assert.Equal(2, report.Search.Count);
        foreach (SearchCell cell in report.Search)
        {
            Assert.Equal(2, cell.SeedAccuracies.Count);
            Assert.Equal(cell.SeedAccuracies.Average(), cell.ValidationAccuracy, 12);
        }
        SearchCell kept = report.Search.Single(c => c.Chosen);
        Assert.Equal(report.Search.Max(c => c.ValidationAccuracy), kept.ValidationAccuracy);
        Assert.Equal($"T {kept.Temperature}, α 0.5; epoch 40 kept (the last)", report.Models[2].Settings);
    }

    [Fact]
    public void The_report_shows_the_mean_table_and_one_table_per_seed()
    {
        var (report, _) = Run(300, [1, 2], [1f, 8f]);
        string md = MarkdownReport.Render(new PipelineReport("t", "d", "r", [1, 2], [report], 1, "m"));
        Assert.Contains("mean over the seeds 1, 2", md);
        Assert.Contains("Seed 1: validation accuracy", md);
        Assert.Contains("Seed 2: validation accuracy", md);
        string html = HtmlReport.Render(new PipelineReport("t", "d", "r", [1, 2], [report], 1, "m"));
        Assert.Contains("Seed 2: validation accuracy", html);
        SearchCell first = report.Search[0];
        Assert.Contains(ReportText.Fixed(100 * first.SeedAccuracies[1], 2), html);
    }

    [Fact]
    public void A_small_validation_split_and_one_seed_are_said_beside_the_verdict()
    {
        // 300 rows: a validation split of 30.
        var (report, _) = Run(300, [1], [1f, 8f]);
        Assert.Contains("chosen on one seed's validation split", report.Comparison.Caveat);
        Assert.Contains("the validation split has 30 rows, fewer than 100", report.Comparison.Caveat);
        Assert.Contains("— caution: ", ReportText.Verdict(report.Comparison));
    }

    [Theory]
    [InlineData(3, 1000, true, false, "")]
    [InlineData(3, 99, false, false, "")]
    [InlineData(3, 99, false, true, "too few to choose the kept epochs reliably")]
    [InlineData(3, 50, true, true, "has 50 rows, fewer than 100 (one row is 2 pp): too few to choose T, α and the kept epochs reliably")]
    [InlineData(2, 1000, false, false, "two seeds give only a rough spread")]
    [InlineData(1, 1000, true, false, "T and α were chosen on one seed's validation split")]
    public void The_caveat_follows_the_rule(int seeds, int validationRows, bool searched, bool keepBest, string expected)
    {
        string caveat = ChoiceCaveat.Of(seeds, validationRows, searched, keepBest);
        if (expected.Length == 0) Assert.Equal("", caveat);
        else Assert.Contains(expected, caveat);
    }
}
