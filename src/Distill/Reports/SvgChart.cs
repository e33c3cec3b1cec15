using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>
/// Small self-contained SVG charts for the HTML report: no script, no external resource, a <c>viewBox</c>, presentation
/// attributes instead of a stylesheet, coordinates with at most two decimals in the invariant culture. Every text is
/// escaped. Degenerate data (no point, one point, all values equal) still gives finite coordinates.
/// </summary>
/// <remarks>
/// Elements carry classes a reader or a test can select: each line is one <c>path class="series"</c>, each scatter
/// point one <c>circle class="point"</c> with its <c>text class="label"</c> and, when it has one, its
/// <c>path class="error"</c>.
/// </remarks>
public static class SvgChart
{
    private const double LineHeight = 360, ScatterHeight = 400;

    /// <summary>
    /// A line chart: series <c>s</c> joins (i + 1, s.Values[i]); a value that is not finite breaks the line, and a point
    /// with no finite neighbour is drawn as a dot so that a one-epoch series stays visible. The x axis counts steps
    /// from 0 in whole numbers — or, with <paramref name="percentOfRun"/>, puts value i of n at 100·(i + 1)/n, so
    /// that runs of different lengths over the same budget line up; the y axis spans the finite values. Colours
    /// follow the series order.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument or a series is null.</exception>
    public static string Line(string title, string xCaption, string yCaption, IReadOnlyList<ChartSeries> series, bool percentOfRun = false)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xCaption);
        ArgumentNullException.ThrowIfNull(yCaption);
        ArgumentNullException.ThrowIfNull(series);
        foreach (var s in series) ArgumentNullException.ThrowIfNull(s, nameof(series));
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        int steps = series.Count == 0 ? 0 : series.Max(s => s.Values.Count);
        var frame = new ChartFrame(LineHeight,
            percentOfRun ? ChartAxis.Linear(0, 100, ticks: 6, integer: true) : ChartAxis.Linear(0, Math.Max(steps, 2), ticks: 8, integer: true),
            finite.Count == 0 ? ChartAxis.Linear(0, 1) : ChartAxis.Linear(finite.Min(), finite.Max()));
        var svg = new StringBuilder();
        frame.Open(svg, title);
        frame.Axes(svg, xCaption, yCaption);
        for (int i = 0; i < series.Count; i++) Series(svg, frame, series[i].Values, ChartFrame.Colour(i), percentOfRun);
        frame.Legend(svg, series.Select(s => s.Name).ToList(), lines: true);
        ChartFrame.Close(svg);
        return svg.ToString();
    }

    /// <summary>
    /// A scatter chart of labelled points with ± error bars, coloured by group (legend in first-seen order), labels
    /// placed so that they avoid each other, the markers and the bars. With <paramref name="logarithmicX"/> the x axis
    /// is log10 and points with x ≤ 0 are left out; points with a non-finite coordinate are always left out.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument or a point is null.</exception>
    public static string Scatter(string title, string xCaption, string yCaption, IReadOnlyList<ChartPoint> points, bool logarithmicX)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xCaption);
        ArgumentNullException.ThrowIfNull(yCaption);
        ArgumentNullException.ThrowIfNull(points);
        foreach (var p in points) ArgumentNullException.ThrowIfNull(p, nameof(points));
        var groups = points.Select(p => p.Group).Distinct().ToList();
        var shown = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logarithmicX || p.X > 0)).ToList();
        double Error(ChartPoint p) => double.IsFinite(p.YError) && p.YError > 0 ? p.YError : 0;
        var frame = new ChartFrame(ScatterHeight, XAxis(shown, logarithmicX), YAxis(shown, Error));

        var centres = shown.Select(p => (X: frame.PlotX(p.X), Y: frame.PlotY(p.Y))).ToList();
        var obstacles = new List<LabelBox>();
        for (int i = 0; i < shown.Count; i++)
        {
            var (x, y) = centres[i];
            obstacles.Add(new LabelBox(x - 5, y - 5, x + 5, y + 5));
            double e = Error(shown[i]);
            if (e > 0) obstacles.Add(new LabelBox(x - 4, frame.PlotY(shown[i].Y + e), x + 4, frame.PlotY(shown[i].Y - e)));
        }
        var labels = LabelPlacer.Place(centres, shown.Select(p => p.Label).ToList(), obstacles,
            new LabelBox(frame.Left + 2, frame.Top + 2, frame.Right - 2, frame.Bottom - 2));

        var svg = new StringBuilder();
        frame.Open(svg, title);
        frame.Axes(svg, xCaption, yCaption);
        svg.Append("<g class=\"points\">\n");
        for (int i = 0; i < shown.Count; i++)
        {
            var p = shown[i];
            var (x, y) = centres[i];
            string colour = ChartFrame.Colour(groups.IndexOf(p.Group)), cx = Markup.Number(x);
            double e = Error(p);
            if (e > 0)
            {
                string hi = Markup.Number(frame.PlotY(p.Y + e)), lo = Markup.Number(frame.PlotY(p.Y - e));
                string l = Markup.Number(x - 4), r = Markup.Number(x + 4);
                svg.Append($"<path class=\"error\" d=\"M{cx},{hi}V{lo}M{l},{hi}H{r}M{l},{lo}H{r}\" stroke=\"{colour}\" fill=\"none\"/>\n");
            }
            svg.Append($"<circle class=\"point\" cx=\"{cx}\" cy=\"{Markup.Number(y)}\" r=\"5\" fill=\"{colour}\" ")
               .Append("stroke=\"#ffffff\"/>\n");
            var label = labels[i];
            if (label.Leader)
            {
                double ly = Math.Clamp(y, label.Box.Top, label.Box.Bottom);
                double lx = label.Box.Left > x ? label.Box.Left - 1 : label.Box.Right + 1;
                svg.Append($"<line x1=\"{cx}\" y1=\"{Markup.Number(y)}\" x2=\"{Markup.Number(lx)}\" y2=\"{Markup.Number(ly)}\" ")
                   .Append("stroke=\"#999999\" stroke-width=\"0.75\"/>\n");
            }
            svg.Append($"<text class=\"label\" x=\"{Markup.Number(label.X)}\" y=\"{Markup.Number(label.Y)}\" ")
               .Append($"text-anchor=\"{label.Anchor}\" font-size=\"11\">{Markup.Escape(p.Label)}</text>\n");
        }
        svg.Append("</g>\n");
        frame.Legend(svg, groups, lines: false);
        ChartFrame.Close(svg);
        return svg.ToString();
    }

    /// <summary>
    /// A chart of curves in the unit square (a ROC or a precision–recall curve per model): both axes span [0, 1], each
    /// curve is one <c>path class="series"</c> through its points in order, coloured in series order; with
    /// <paramref name="chanceDiagonal"/> a dashed <c>line class="chance"</c> from (0, 0) to (1, 1) marks a random
    /// scorer's ROC curve. A curve with a non-finite coordinate is left out.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument or a curve is null.</exception>
    /// <exception cref="ArgumentException">A curve's x and y differ in length.</exception>
    public static string UnitCurves(string title, string xCaption, string yCaption, IReadOnlyList<(string Name, CurvePoints Points)> curves,
        bool chanceDiagonal)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xCaption);
        ArgumentNullException.ThrowIfNull(yCaption);
        ArgumentNullException.ThrowIfNull(curves);
        foreach (var (_, points) in curves)
        {
            ArgumentNullException.ThrowIfNull(points, nameof(curves));
            if (points.X.Count != points.Y.Count)
                throw new ArgumentException($"A curve has {points.X.Count} x values and {points.Y.Count} y values.", nameof(curves));
        }
        var frame = new ChartFrame(LineHeight, ChartAxis.Linear(0, 1), ChartAxis.Linear(0, 1));
        var svg = new StringBuilder();
        frame.Open(svg, title);
        frame.Axes(svg, xCaption, yCaption);
        if (chanceDiagonal)
            svg.Append($"<line class=\"chance\" x1=\"{Markup.Number(frame.PlotX(0))}\" y1=\"{Markup.Number(frame.PlotY(0))}\" ")
               .Append($"x2=\"{Markup.Number(frame.PlotX(1))}\" y2=\"{Markup.Number(frame.PlotY(1))}\" stroke=\"#999999\" stroke-dasharray=\"4 4\"/>\n");
        for (int i = 0; i < curves.Count; i++)
        {
            var (x, y) = (curves[i].Points.X, curves[i].Points.Y);
            if (x.Count == 0 || x.Concat(y).Any(v => !double.IsFinite(v))) continue;
            var path = new StringBuilder();
            for (int k = 0; k < x.Count; k++)
                path.Append(k == 0 ? 'M' : 'L').Append(Markup.Number(frame.PlotX(x[k]))).Append(',').Append(Markup.Number(frame.PlotY(y[k])));
            svg.Append($"<path class=\"series\" d=\"{path}\" fill=\"none\" stroke=\"{ChartFrame.Colour(i)}\" stroke-width=\"2\" ")
               .Append("stroke-linejoin=\"round\"/>\n");
        }
        frame.Legend(svg, curves.Select(c => c.Name).ToList(), lines: true);
        ChartFrame.Close(svg);
        return svg.ToString();
    }

    private static void Series(StringBuilder svg, ChartFrame frame, IReadOnlyList<double> values, string colour, bool percentOfRun)
    {
        var path = new StringBuilder();
        var dots = new List<(double X, double Y)>();
        bool drawing = false;
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                drawing = false;
                continue;
            }
            double x = frame.PlotX(percentOfRun ? 100.0 * (i + 1) / values.Count : i + 1), y = frame.PlotY(values[i]);
            path.Append(drawing ? 'L' : 'M').Append(Markup.Number(x)).Append(',').Append(Markup.Number(y));
            bool before = i > 0 && double.IsFinite(values[i - 1]), after = i + 1 < values.Count && double.IsFinite(values[i + 1]);
            if (!before && !after) dots.Add((x, y));
            drawing = true;
        }
        if (path.Length == 0) return;
        svg.Append($"<path class=\"series\" d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" ")
           .Append("stroke-linejoin=\"round\"/>\n");
        foreach (var (x, y) in dots)
            svg.Append($"<circle cx=\"{Markup.Number(x)}\" cy=\"{Markup.Number(y)}\" r=\"3\" fill=\"{colour}\"/>\n");
    }

    private static ChartAxis XAxis(List<ChartPoint> shown, bool logarithmic)
    {
        if (shown.Count == 0) return logarithmic ? ChartAxis.Logarithmic10(1, 10) : ChartAxis.Linear(0, 1);
        double lo = shown.Min(p => p.X), hi = shown.Max(p => p.X);
        if (logarithmic) return ChartAxis.Logarithmic10(lo, hi);
        double pad = (hi - lo) * 0.1;
        return ChartAxis.Linear(lo - pad, hi + pad);
    }

    private static ChartAxis YAxis(List<ChartPoint> shown, Func<ChartPoint, double> error)
    {
        if (shown.Count == 0) return ChartAxis.Linear(0, 1);
        double lo = shown.Min(p => p.Y - error(p)), hi = shown.Max(p => p.Y + error(p));
        // Room above and below the extreme points for their labels.
        double pad = (hi - lo) * 0.12;
        return ChartAxis.Linear(lo - pad, hi + pad);
    }
}
