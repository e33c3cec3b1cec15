using System.Globalization;
using TinyKd.Distill.Reports;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Reports;

public class MarkdownReportTests
{
    private static readonly string Rendered = MarkdownReport.Render(ReportFixture.Sample());

    private static string[] Lines(string markdown) => markdown.Split('\n');

    private static string[] TableRowsAfter(string markdown, string headerStart, int occurrence = 0)
    {
        var lines = Lines(markdown);
        int header = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith(headerStart, StringComparison.Ordinal)).ElementAt(occurrence).i;
        return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToArray();
    }

    [Fact]
    public void Report_starts_with_the_title_and_the_summary_lines()
    {
        var lines = Lines(Rendered);

        Assert.Equal("# TinyKd pipeline", lines[0]);
        Assert.Contains("- **Data:** Fashion-MNIST sample: 6,000 train, 1,000 test", lines);
        Assert.Contains("- **Recipe:** AdamW 1e-3, cosine, batch 128, 20 epochs", lines);
        Assert.Contains("- **Seeds:** 1, 2 (2 seeds)", lines);
        Assert.Contains("- **Machine:** 2 cores, Linux, AVX-512", lines);
        Assert.Contains("- **Wall time:** 321.3 s", lines);
    }

    [Fact]
    public void Each_scenario_has_its_heading_description_and_a_table_header_with_aligned_columns()
    {
        var lines = Lines(Rendered);

        Assert.Contains("## all labels", lines);
        Assert.Contains("## few labels", lines);
        Assert.Contains("Every model trains on all 6,000 labelled images.", lines);
        string header = "| model | architecture | settings | test accuracy (%) | macro-F1 | ECE | sparsity (%) | parameters | model bytes | µs/sample b1 | samples/s b256 | train time (s) |";
        Assert.Equal(2, lines.Count(l => l == header));
        Assert.Contains("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", lines);
    }

    [Fact]
    public void Model_table_has_one_row_per_model_with_formatted_numbers()
    {
        var rows = TableRowsAfter(Rendered, "| model |");

        Assert.Equal(
        [
            "| teacher | 784-256-256-10 | — | 91.00 ± 1.41 (90.00–92.00) | 0.8050 ± 0.0071 | 0.0250 ± 0.0071 | 0.0 | 1,234,567 | 4,938,268 | 12.50 | 80,000 | 42.0 |",
            "| student alone | 784-32-10 | — | 85.50 ± 0.71 (85.00–86.00) | 0.8050 ± 0.0071 | 0.0250 ± 0.0071 | 0.0 | 25,450 | 101,800 | 2.25 | 444,444 | 42.0 |",
            "| student distilled | 784-32-10 | T 4, α 0.5 | 87.50 ± 0.71 (87.00–88.00) | 0.8050 ± 0.0071 | 0.0250 ± 0.0071 | 0.0 | 25,450 | 101,800 | 2.25 | 444,444 | 42.0 |",
        ], rows);
    }

    [Fact]
    public void Second_scenario_table_shows_its_own_accuracies()
    {
        var rows = TableRowsAfter(Rendered, "| model |", occurrence: 1);

        Assert.Equal(3, rows.Length);
        Assert.StartsWith("| teacher | 784-256-256-10 | — | 86.00 ± 1.41 (85.00–87.00) |", rows[0]);
    }

    [Fact]
    public void Verdict_lines_give_signed_gain_spread_and_verdict()
    {
        var lines = Lines(Rendered);

        Assert.Contains("distilled student vs student alone: +0.35 pp (seed spread 0.08 pp): wins", lines);
        Assert.Contains("distilled student vs student alone: -1.20 pp (seed spread 0.71 pp): loses", lines);
    }

    [Fact]
    public void A_pruned_stage_adds_its_rows_and_one_cost_line_per_sparsity_under_the_verdict()
    {
        var lines = Lines(MarkdownReport.Render(ReportFixture.WithPruning()));

        Assert.Contains("| student pruned 90% | 784-32-10 | gradual, 8×1 blocks | 87.00 ± 0.71 (86.50–87.50) | 0.8050 ± 0.0071 | 0.0250 ± 0.0071 | 90.0 | 2,700 | 12,345 | 1.13 | 123,456 | 7.0 |", lines);
        int verdict = Array.IndexOf(lines, "distilled student vs student alone: +0.35 pp (seed spread 0.08 pp): wins");
        Assert.Equal("- student pruned 90% vs student distilled: -0.50 pp (seed spread 0.20 pp)", lines[verdict + 2]);
        Assert.DoesNotContain(Lines(Rendered), l => l.Contains("vs student distilled", StringComparison.Ordinal));
    }

    [Fact]
    public void Search_grid_has_a_row_per_temperature_a_column_per_alpha_and_the_chosen_cell_in_bold()
    {
        Assert.Contains("| T \\ α | 0.1 | 0.5 | 0.9 |", Lines(Rendered));
        var rows = TableRowsAfter(Rendered, "| T \\ α |");

        Assert.Equal(
        [
            "| 1 | 80.00 | 81.00 | 82.00 |",
            "| 2 | 83.00 | 84.00 | 85.00 |",
            "| 4 | 86.00 | **87.00** | 88.00 |",
            "| 8 | 89.00 | 90.00 | 91.00 |",
        ], rows);
        Assert.Equal(2, Rendered.Split("**87.00**").Length - 1);
    }

    [Fact]
    public void One_seed_shows_the_mean_alone_without_a_meaningless_spread()
    {
        var report = ReportFixture.Sample(m => m with { Accuracy = SeedStat.From([0.9]), MacroF1 = SeedStat.From([0.8]) });

        var row = TableRowsAfter(MarkdownReport.Render(report), "| model |")[0];

        Assert.StartsWith("| teacher | 784-256-256-10 | — | 90.00 | 0.8000 | 0.0250 ± 0.0071 |", row);
    }

    [Fact]
    public void A_pipe_in_a_name_is_escaped_and_a_line_break_becomes_a_space()
    {
        var report = ReportFixture.Sample(m => m.Name == "teacher" ? m with { Name = "teacher|big", Settings = "a\nb" } : m);

        var row = TableRowsAfter(MarkdownReport.Render(report), "| model |")[0];

        Assert.StartsWith("| teacher\\|big | 784-256-256-10 | a b | ", row);
        Assert.Equal(13, row.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|'));
    }

    [Fact]
    public void Values_that_are_not_finite_show_as_a_dash()
    {
        var report = ReportFixture.Sample(m => m with { Ece = new SeedStat(double.NaN, double.NaN, double.NaN, double.NaN, 2),
            MicrosecondsPerSample = double.PositiveInfinity, SamplesPerSecond = double.NaN });

        var row = TableRowsAfter(MarkdownReport.Render(report), "| model |")[0];

        Assert.Equal("| teacher | 784-256-256-10 | — | 91.00 ± 1.41 (90.00–92.00) | 0.8050 ± 0.0071 | — | 0.0 | 1,234,567 | 4,938,268 | — | — | 42.0 |", row);
    }

    [Fact]
    public void Output_does_not_depend_on_the_current_culture()
    {
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        comma.NumberFormat.NegativeSign = "~";
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(Rendered, MarkdownReport.Render(ReportFixture.Sample()));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void A_scenario_without_search_has_no_grid()
    {
        var sample = ReportFixture.Sample();
        var report = sample with { Scenarios = sample.Scenarios.Select(s => s with { Search = [] }).ToList() };

        Assert.DoesNotContain("T \\ α", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_with_a_repeated_pair_is_rejected_naming_the_scenario_and_the_pair()
    {
        var sample = ReportFixture.Sample();
        var first = sample.Scenarios[0];
        var broken = first with { Search = [.. first.Search, new SearchCell(2, 0.5f, 0.5, false)] };

        var e = Check.Throws<ArgumentException>(() => MarkdownReport.Render(sample with { Scenarios = [broken] }), "all labels", "T 2", "α 0.5");

        Assert.Equal("report", e.ParamName);
    }
}
