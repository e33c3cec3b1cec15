using System.Text.RegularExpressions;
using System.Xml.Linq;
using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

public class HtmlReportTests
{
    private static readonly string Rendered = HtmlReport.Render(ReportFixture.Sample());

    private static List<string> SvgBlocks(string html) =>
        Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();

    private static string TableCells(string html, string firstHeader) =>
        Regex.Match(html, $"<table>\\s*<thead><tr><th[^>]*>{Regex.Escape(firstHeader)}</th>.*?</table>", RegexOptions.Singleline).Value;

    [Fact]
    public void Page_is_one_self_contained_document_without_script_or_external_resource()
    {
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">", Rendered, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", Rendered, StringComparison.Ordinal);
        Assert.Contains("<style>", Rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", Rendered, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)\\s*=", Rendered);
        Assert.DoesNotContain("<link", Rendered, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", Rendered, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_svg_block_parses_as_xml_and_there_are_a_curve_chart_per_scenario_and_one_scatter()
    {
        var blocks = SvgBlocks(Rendered);

        Assert.Equal(3, blocks.Count);
        var charts = blocks.Select(XDocument.Parse).ToList();
        Assert.Equal(["all labels: validation accuracy during training", "few labels: validation accuracy during training", "Test accuracy vs model bytes"],
            charts.Select(c => c.Root!.Elements().First(e => e.Name.LocalName == "title").Value));
    }

    [Fact]
    public void Scatter_has_a_point_for_every_model_of_every_scenario()
    {
        var scatter = XDocument.Parse(SvgBlocks(Rendered)[^1]);

        Assert.Equal(6, scatter.Descendants().Count(e => e.Name.LocalName == "circle" && (string?)e.Attribute("class") == "point"));
    }

    [Fact]
    public void Page_contains_no_NaN_even_when_the_report_has_some()
    {
        var report = ReportFixture.Sample(m => m with
        {
            Ece = new SeedStat(double.NaN, double.NaN, double.NaN, double.NaN, 2),
            Curves = [[double.NaN, 0.5], [0.6]],
            MicrosecondsPerSample = double.NaN,
        });

        string html = HtmlReport.Render(report);

        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", html, StringComparison.Ordinal);
        Assert.All(SvgBlocks(html), b => XDocument.Parse(b));
    }

    [Fact]
    public void Model_table_has_the_markdown_columns_and_formatted_cells()
    {
        string table = TableCells(Rendered, "model");

        Assert.Contains("<th class=\"num\">test accuracy (%)</th>", table, StringComparison.Ordinal);
        Assert.Contains("<td>teacher</td><td>784-256-256-10</td><td>—</td><td class=\"num\">91.00 ± 1.41 (90.00–92.00)</td>", table, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">1,234,567</td><td class=\"num\">4,938,268</td>", table, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Matches(table, "<tr>").Count);
    }

    [Fact]
    public void Verdict_and_search_grid_with_the_chosen_cell_in_bold_are_shown()
    {
        Assert.Contains("<p class=\"verdict wins\">distilled student vs student alone: +0.35 pp (seed spread 0.08 pp): wins</p>", Rendered,
            StringComparison.Ordinal);
        string grid = TableCells(Rendered, "T \\ α");
        Assert.Contains("<tr><th class=\"num\">4</th><td class=\"num\">86.00</td><td class=\"num\"><strong>87.00</strong></td>", grid,
            StringComparison.Ordinal);
        Assert.Equal(5, Regex.Matches(grid, "<tr>").Count);
    }

    [Fact]
    public void A_script_tag_in_a_model_name_is_escaped_in_tables_and_charts()
    {
        var report = ReportFixture.Sample(m => m.Name == "teacher" ? m with { Name = "<script>alert('x')</script>" } : m);

        string html = HtmlReport.Render(report);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.All(SvgBlocks(html), b => XDocument.Parse(b));
    }

    [Fact]
    public void Scenario_without_curves_has_no_curve_chart()
    {
        var report = ReportFixture.Sample(m => m with { Curves = [] });

        Assert.Single(SvgBlocks(HtmlReport.Render(report)));
    }

    [Fact]
    public void A_pruned_stage_adds_an_accuracy_against_sparsity_scatter_of_the_distilled_student_and_its_pruned_copies()
    {
        string html = HtmlReport.Render(ReportFixture.WithPruning());

        var blocks = SvgBlocks(html);
        Assert.Equal(4, blocks.Count);
        var chart = XDocument.Parse(blocks[^1]);
        Assert.Equal("Test accuracy vs sparsity of the distilled student", chart.Root!.Elements().First(e => e.Name.LocalName == "title").Value);
        Assert.Equal(2, chart.Descendants().Count(e => e.Name.LocalName == "circle" && (string?)e.Attribute("class") == "point"));
        Assert.Contains("<p>student pruned 90% vs student distilled: -0.50 pp (seed spread 0.20 pp)</p>", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(SvgBlocks(html)[0], "class=\"series\"").Count);
        Assert.DoesNotContain("Test accuracy vs sparsity", Rendered, StringComparison.Ordinal);
    }
}
