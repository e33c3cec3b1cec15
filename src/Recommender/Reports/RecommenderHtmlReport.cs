using System.Text;
using TinyKd.Distill.Reports;

namespace TinyKd.Recommender;

/// <summary>
/// The recommender report as one self-contained HTML page (inline CSS and SVG, no script or external resource): the
/// summary, the tables of the Markdown report (with the int8 table when there is one), NDCG@10 against model bytes (all users, with the seed std as error
/// bars) and the training curves (validation NDCG@10 per epoch, mean over the seeds).
/// </summary>
public static class RecommenderHtmlReport
{
    private const string Style = """
        td.wins { color: #1a7f37; font-weight: bold; } td.loses { color: #b42318; font-weight: bold; }
        """;

    /// <summary>Renders <paramref name="report"/>; every text is HTML-escaped.</summary>
    public static string Render(RecommenderReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        Markup.PageStart(html, $"TinyKd recommender distillation ({report.Engine})", Style);
        html.Append("<dl class=\"summary\">\n");
        foreach (var (label, value) in RecommenderReportText.Summary(report))
            html.Append($"<dt>{Markup.Escape(label)}</dt><dd>{Markup.Escape(value)}</dd>\n");
        html.Append("</dl>\n<section>\n<h2>Models (test, full ranking)</h2>\n");
        Table(html, RecommenderReportText.ModelHeader, RecommenderReportText.TextColumns, report.Models.Select(RecommenderReportText.ModelRow), -1);
        html.Append("</section>\n<section>\n<h2>Distilled students against the same student alone</h2>\n");
        Table(html, RecommenderReportText.ComparisonHeader, 4, report.Comparisons.Select(RecommenderReportText.ComparisonRow),
            RecommenderReportText.ComparisonHeader.Count - 1);
        if (report.Int8.Count > 0)
        {
            html.Append("</section>\n<section>\n<h2>").Append(Markup.Escape(RecommenderReportText.Int8Title)).Append("</h2>\n");
            Table(html, RecommenderReportText.Int8Header, RecommenderReportText.Int8TextColumns, report.Int8.Select(RecommenderReportText.Int8Row),
                RecommenderReportText.Int8VerdictColumn);
        }
        html.Append("</section>\n<section>\n<h2>NDCG@10 vs model size</h2>\n<figure>\n")
            .Append(SvgChart.Scatter("Test NDCG@10 (all users) against model bytes", "model file bytes (log scale)", "NDCG@10",
                report.Models.Select(m => new ChartPoint(m.Name, m.Student, m.Bytes, m.All["NDCG@10"].Mean, m.All["NDCG@10"].Std)).ToList(),
                logarithmicX: true))
            .Append("\n</figure>\n</section>\n");
        if (report.Models.Any(m => m.Curves.Any(c => c.Any(e => double.IsFinite(e.Validation)))))
        {
            html.Append("<section>\n<h2>Training curves</h2>\n");
            // One chart per student, with the teacher for reference: few enough lines that each keeps its own colour.
            // Models without curves (int8 twins of trained models) have no line to draw.
            var trained = report.Models.Where(m => m.Curves.Count > 0).ToList();
            foreach (string student in trained.Select(m => m.Student).Where(s => s != "teacher").Distinct())
            {
                var series = trained.Where(m => m.Student == student || m.Student == "teacher")
                    .Select(m => new ChartSeries(CurveName(m, student), MeanCurve(m.Curves))).ToList();
                html.Append("<figure>\n")
                    .Append(SvgChart.Line($"{student}: validation NDCG@10, mean of the seeds", "epoch", "NDCG@10", series))
                    .Append("\n</figure>\n");
            }
            html.Append("</section>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    // In a student's chart its own name is implied: "alone", "+ listwise"; the teacher keeps its name.
    private static string CurveName(RecommenderModelResult model, string student) =>
        model.Name == student ? $"{student} alone" : model.Name.StartsWith(student + " ", StringComparison.Ordinal) ? model.Name[(student.Length + 1)..] : model.Name;

    private static List<double> MeanCurve(IReadOnlyList<IReadOnlyList<RecommenderEpoch>> curves)
    {
        int epochs = curves.Count == 0 ? 0 : curves.Min(c => c.Count);
        return Enumerable.Range(0, epochs).Select(e => curves.Average(c => c[e].Validation)).ToList();
    }

    private static void Table(StringBuilder html, IReadOnlyList<string> header, int textColumns, IEnumerable<IReadOnlyList<string>> rows, int verdictColumn)
    {
        html.Append("<table>\n<tr>");
        for (int c = 0; c < header.Count; c++)
            html.Append(c < textColumns ? "<th>" : "<th class=\"num\">").Append(Markup.Escape(header[c])).Append("</th>");
        html.Append("</tr>\n");
        foreach (IReadOnlyList<string> row in rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
            {
                string css = c == verdictColumn ? row[c] : c < textColumns ? "" : "num";
                html.Append(css.Length == 0 ? "<td>" : $"<td class=\"{css}\">").Append(Markup.Escape(row[c])).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");
    }
}
