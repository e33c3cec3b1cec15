using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>
/// The pipeline report as one self-contained HTML page: inline CSS, no script, no external resource (a
/// Content-Security-Policy meta tag forbids both), the tables of the Markdown report, and inline SVG charts from
/// <see cref="SvgChart"/>: per scenario the validation accuracy of each model during training (mean over the seeds), one
/// scatter of test accuracy against model bytes over every model of every scenario and, with a pruned stage, one of
/// the distilled student's test accuracy against its sparsity; per scenario also the class-level part of
/// <see cref="ClassificationHtml"/> (confusion-matrix heat maps, per-class table, ROC and precision–recall curves).
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        .verdict { font-weight: bold; } .verdict.wins { color: #1a7f37; } .verdict.loses { color: #b42318; }
        """ + "\n" + ClassificationHtml.Style;

    /// <summary>Renders <paramref name="report"/>.</summary>
    /// <remarks>Every text from the report is HTML-escaped; numbers are formatted as in <see cref="MarkdownReport"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    /// <exception cref="ArgumentException">A scenario's search holds the same (T, α) pair twice.</exception>
    public static string Render(PipelineReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        Markup.PageStart(html, report.Title, Style);
        html.Append("<dl class=\"summary\">\n");
        foreach (var (label, value) in ReportText.Summary(report))
            html.Append($"<dt>{Markup.Escape(label)}</dt><dd>{Markup.Escape(value)}</dd>\n");
        html.Append("</dl>\n");
        foreach (var scenario in report.Scenarios) Scenario(html, scenario, report.Seeds, nameof(report));
        html.Append("<section>\n<h2>Test accuracy vs model size</h2>\n<figure>\n").Append(SizeChart(report)).Append("\n</figure>\n</section>\n");
        if (report.Scenarios.Any(s => s.Pruning.Count > 0))
            html.Append("<section>\n<h2>Test accuracy vs sparsity</h2>\n<figure>\n").Append(SparsityChart(report))
                .Append("\n<figcaption>The dense distilled student (0 %) and its pruned copies; error bars: seed spread.</figcaption>\n</figure>\n</section>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Scenario(StringBuilder html, ScenarioReport scenario, IReadOnlyList<ulong> seeds, string parameterName)
    {
        html.Append($"<section>\n<h2>{Markup.Escape(scenario.Name)}</h2>\n");
        if (!string.IsNullOrWhiteSpace(scenario.Description)) html.Append($"<p>{Markup.Escape(scenario.Description)}</p>\n");
        var rows = scenario.Models.Select(m => ReportText.ModelRow(m).Select(cell => (cell, false)).ToList());
        Table(html, ReportText.ModelHeader, ReportText.TextColumns, rows);
        string verdict = scenario.Comparison.Verdict.Trim().ToLowerInvariant();
        string style = verdict is "wins" or "ties" or "loses" ? $"verdict {verdict}" : "verdict";
        html.Append($"<p class=\"{style}\">{Markup.Escape(ReportText.Verdict(scenario.Comparison))}</p>\n");
        foreach (var cost in scenario.Pruning) html.Append($"<p>{Markup.Escape(ReportText.PruningCost(cost))}</p>\n");
        if (scenario.Search.Count > 0)
            foreach (var (caption, value) in SearchGrid.Tables(seeds)) Search(html, SearchGrid.Of(scenario, parameterName), caption, value);
        ClassificationHtml.Append(html, scenario);
        var trained = scenario.Models.Where(m => m.Curves.Any(c => c.Count > 0)).ToList();
        if (trained.Count > 0)
        {
            var series = trained.Select(m => new ChartSeries(m.Name, SeedCurves.Mean(m.Curves).Select(v => 100 * v).ToList())).ToList();
            // Models that learn from fewer rows run more epochs for the same number of steps: then the x axis is the
            // share of the run, so that the curves line up.
            bool byShare = series.Select(c => c.Values.Count).Distinct().Count() > 1;
            html.Append("<figure>\n")
                .Append(SvgChart.Line($"{scenario.Name}: validation accuracy during training", byShare ? "training progress (% of the run's steps)" : "epoch",
                    "validation accuracy (%)", series, percentOfRun: byShare))
                .Append(byShare
                    ? "\n<figcaption>Each model's own run on one axis (its epochs as a share of its steps); mean over the seeds.</figcaption>\n</figure>\n"
                    : "\n<figcaption>Mean over the seeds that reached each epoch.</figcaption>\n</figure>\n");
        }
        html.Append("</section>\n");
    }

    private static void Search(StringBuilder html, SearchGrid grid, string caption, Func<SearchCell?, string> value)
    {
        html.Append($"<p>{Markup.Escape(caption)}</p>\n");
        var header = new List<string> { SearchGrid.Corner };
        header.AddRange(grid.Alphas.Select(ReportText.Hyperparameter));
        var rows = grid.Temperatures.Select((t, row) =>
        {
            var cells = new List<(string, bool)> { (ReportText.Hyperparameter(t), false) };
            for (int column = 0; column < grid.Alphas.Count; column++)
                cells.Add((value(grid[row, column]), grid[row, column] is { Chosen: true }));
            return cells;
        });
        Table(html, header, textColumns: 0, rows, rowHeaders: true);
    }

    /// <summary>An HTML table; a cell flagged true is set in bold; numeric columns are aligned right.</summary>
    internal static void Table(StringBuilder html, IReadOnlyList<string> header, int textColumns,
        IEnumerable<List<(string Text, bool Bold)>> rows, bool rowHeaders = false)
    {
        string Class(int column) => column < textColumns ? "" : " class=\"num\"";
        html.Append("<table>\n<thead><tr>");
        for (int c = 0; c < header.Count; c++) html.Append($"<th{Class(c)}>{Markup.Escape(header[c])}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
            {
                string tag = rowHeaders && c == 0 ? "th" : "td", text = Markup.Escape(row[c].Text);
                html.Append($"<{tag}{Class(c)}>{(row[c].Bold ? $"<strong>{text}</strong>" : text)}</{tag}>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static string SparsityChart(PipelineReport report)
    {
        var points = report.Scenarios.Where(s => s.Pruning.Count > 0).SelectMany(s => s.Models
            .Where(m => m.Name == "student distilled" || s.Pruning.Any(c => c.Model == m.Name))
            .Select(m => new ChartPoint(ReportText.Fixed(100 * m.Sparsity, 0) + " %", s.Name, 100 * m.Sparsity,
                100 * m.Accuracy.Mean, m.Accuracy.Count > 1 ? 100 * m.Accuracy.Std : 0))).ToList();
        return SvgChart.Scatter("Test accuracy vs sparsity of the distilled student", "sparsity of the pruned layers (%)", "test accuracy (%)",
            points, logarithmicX: false);
    }

    private static string SizeChart(PipelineReport report)
    {
        var points = report.Scenarios.SelectMany(s => s.Models.Select(m => new ChartPoint(m.Name, s.Name, m.ModelBytes,
            100 * m.Accuracy.Mean, m.Accuracy.Count > 1 ? 100 * m.Accuracy.Std : 0))).ToList();
        return SvgChart.Scatter("Test accuracy vs model bytes", "model bytes (log scale)", "test accuracy (%)", points, logarithmicX: true);
    }
}
