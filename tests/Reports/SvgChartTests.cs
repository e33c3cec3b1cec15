using System.Globalization;
using System.Xml.Linq;
using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

public class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly ChartSeries[] ThreeCurves =
    [
        new("teacher", [0.80, 0.85, 0.88, 0.89, 0.90]),
        new("student alone", [0.70, 0.78, 0.80]),
        new("student distilled", [0.72, 0.80, 0.83, 0.84]),
    ];

    private static readonly ChartPoint[] SixPoints =
    [
        new("teacher", "all labels", 407_000, 89.1, 0.2), new("student alone", "all labels", 101_800, 85.3, 0.3),
        new("student distilled", "all labels", 101_800, 85.6, 0.25), new("teacher", "few labels", 407_000, 88.9, 0.2),
        new("student alone", "few labels", 101_800, 80.3, 0.5), new("student distilled", "few labels", 101_800, 82.1, 0.4),
    ];

    private static IEnumerable<XElement> WithClass(XDocument svg, string name, string cls) =>
        svg.Descendants(Svg + name).Where(e => (string?)e.Attribute("class") == cls);

    /// <summary>The chart is XML and no coordinate is NaN or infinite (the writer throws on those, so rendering is the check).</summary>
    private static void AssertFiniteCoordinates(string svg)
    {
        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("∞", svg, StringComparison.Ordinal);
        XDocument.Parse(svg);
    }

    [Fact]
    public void Line_chart_draws_one_path_per_series_and_a_legend_entry_each()
    {
        var svg = XDocument.Parse(SvgChart.Line("curves", "epoch", "accuracy", ThreeCurves));

        Assert.Equal(3, WithClass(svg, "path", "series").Count());
        var legend = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["teacher", "student alone", "student distilled"], legend.Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void Line_chart_series_have_one_vertex_per_value_and_distinct_palette_colours()
    {
        var paths = WithClass(XDocument.Parse(SvgChart.Line("curves", "epoch", "accuracy", ThreeCurves)), "path", "series").ToList();

        Assert.Equal([5, 3, 4], paths.Select(p => ((string)p.Attribute("d")!).Count(c => c is 'M' or 'L')));
        Assert.Equal(3, paths.Select(p => (string)p.Attribute("stroke")!).Distinct().Count());
    }

    [Fact]
    public void As_a_share_of_the_run_every_series_ends_at_the_right_edge()
    {
        var svg = XDocument.Parse(SvgChart.Line("curves", "progress", "accuracy", ThreeCurves, percentOfRun: true));
        var ends = WithClass(svg, "path", "series")
            .Select(p => ((string)p.Attribute("d")!).Split(['M', 'L'], StringSplitOptions.RemoveEmptyEntries)[^1].Split(',')[0])
            .Distinct().ToList();
        Assert.Single(ends);
        var axisTexts = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "axes").Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("100", axisTexts);
    }

    [Fact]
    public void Line_chart_has_a_view_box_title_axes_captions_and_nice_ticks()
    {
        string text = SvgChart.Line("curves", "epoch", "accuracy", ThreeCurves);
        var svg = XDocument.Parse(text);

        Assert.Equal("0 0 640 360", (string?)svg.Root!.Attribute("viewBox"));
        Assert.Equal("curves", svg.Root.Element(Svg + "title")!.Value);
        var axisTexts = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "axes").Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("epoch", axisTexts);
        Assert.Contains("accuracy", axisTexts);
        Assert.Contains("0.70", axisTexts);
        Assert.Contains("0.90", axisTexts);
        Assert.Contains("5", axisTexts);
    }

    [Fact]
    public void A_gap_in_a_series_starts_a_new_segment_of_the_same_path()
    {
        var svg = XDocument.Parse(SvgChart.Line("gap", "epoch", "y", [new ChartSeries("s", [0.1, double.NaN, 0.3, 0.4])]));

        string d = (string)WithClass(svg, "path", "series").Single().Attribute("d")!;
        Assert.Equal(2, d.Count(c => c == 'M'));
        Assert.Equal(1, d.Count(c => c == 'L'));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Degenerate_line_charts_have_finite_coordinates(int epochs)
    {
        AssertFiniteCoordinates(SvgChart.Line("flat", "epoch", "y", [new ChartSeries("a", Enumerable.Repeat(0.5, epochs).ToList())]));
        AssertFiniteCoordinates(SvgChart.Line("zero", "epoch", "y", [new ChartSeries("a", Enumerable.Repeat(0.0, epochs).ToList())]));
        AssertFiniteCoordinates(SvgChart.Line("nan", "epoch", "y", [new ChartSeries("a", Enumerable.Repeat(double.NaN, epochs).ToList())]));
    }

    [Fact]
    public void Empty_line_charts_have_finite_coordinates()
    {
        AssertFiniteCoordinates(SvgChart.Line("none", "epoch", "y", []));
        AssertFiniteCoordinates(SvgChart.Line("empty", "epoch", "y", [new ChartSeries("a", [])]));
    }

    [Fact]
    public void A_single_epoch_is_drawn_as_a_dot()
    {
        var svg = XDocument.Parse(SvgChart.Line("one", "epoch", "y", [new ChartSeries("a", [0.5])]));

        Assert.Single(WithClass(svg, "path", "series"));
        Assert.Single(svg.Descendants(Svg + "circle"), c => (string?)c.Parent!.Attribute("class") != "legend");
    }

    [Fact]
    public void Scatter_chart_draws_one_marker_label_and_error_bar_per_point()
    {
        var svg = XDocument.Parse(SvgChart.Scatter("size", "bytes", "accuracy", SixPoints, logarithmicX: true));

        Assert.Equal(6, WithClass(svg, "circle", "point").Count());
        Assert.Equal(6, WithClass(svg, "path", "error").Count());
        Assert.Equal(SixPoints.Select(p => p.Label), WithClass(svg, "text", "label").Select(t => t.Value));
    }

    [Fact]
    public void Scatter_chart_colours_points_by_group_and_lists_the_groups_in_the_legend()
    {
        var svg = XDocument.Parse(SvgChart.Scatter("size", "bytes", "accuracy", SixPoints, logarithmicX: true));

        var fills = WithClass(svg, "circle", "point").Select(c => (string)c.Attribute("fill")!).ToList();
        Assert.Equal(2, fills.Distinct().Count());
        Assert.Equal(fills[0], fills[2]);
        Assert.NotEqual(fills[0], fills[3]);
        var legend = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["all labels", "few labels"], legend.Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void Logarithmic_axis_places_a_ten_times_larger_value_one_decade_further()
    {
        var svg = XDocument.Parse(SvgChart.Scatter("log", "x", "y",
            [new("a", "g", 1_000, 1, 0), new("b", "g", 10_000, 1, 0), new("c", "g", 100_000, 1, 0)], logarithmicX: true));

        var xs = WithClass(svg, "circle", "point").Select(c => double.Parse((string)c.Attribute("cx")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(xs[1] - xs[0], xs[2] - xs[1], 1);
        var ticks = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "axes").Elements(Svg + "text").Select(t => t.Value);
        Assert.Contains("1k", ticks);
        Assert.Contains("10k", ticks);
        Assert.Contains("100k", ticks);
    }

    [Fact]
    public void Degenerate_scatter_charts_have_finite_coordinates()
    {
        AssertFiniteCoordinates(SvgChart.Scatter("one", "x", "y", [new ChartPoint("only", "g", 1000, 50, 0)], logarithmicX: true));
        AssertFiniteCoordinates(SvgChart.Scatter("none", "x", "y", [], logarithmicX: true));
        AssertFiniteCoordinates(SvgChart.Scatter("equal", "x", "y", [new("a", "g", 5, 1, 0), new("b", "g", 5, 1, 0)], logarithmicX: false));
        AssertFiniteCoordinates(SvgChart.Scatter("bad", "x", "y",
            [new("zero", "g", 0, 1, double.NaN), new("nan", "g", double.NaN, 1, 0), new("ok", "g", 10, 1, double.PositiveInfinity)], logarithmicX: true));
    }

    [Fact]
    public void Scatter_leaves_out_points_it_cannot_place()
    {
        var svg = XDocument.Parse(SvgChart.Scatter("bad", "x", "y",
            [new("zero bytes", "g", 0, 1, 0), new("nan", "g", 10, double.NaN, 0), new("ok", "g", 10, 1, 0)], logarithmicX: true));

        Assert.Equal(["ok"], WithClass(svg, "text", "label").Select(t => t.Value));
    }

    [Fact]
    public void Texts_are_escaped()
    {
        string svg = SvgChart.Scatter("a < b & c", "x", "y", [new ChartPoint("<script>alert(1)</script>", "\"g\"", 10, 1, 0)], logarithmicX: true);

        Assert.DoesNotContain("<script>", svg, StringComparison.Ordinal);
        Assert.Equal("<script>alert(1)</script>", WithClass(XDocument.Parse(svg), "text", "label").Single().Value);
    }
}
