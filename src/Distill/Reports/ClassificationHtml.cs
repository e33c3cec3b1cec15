using System.Globalization;
using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>
/// The class-level part of a scenario in the HTML report, from the models' <see cref="ModelResult.Detail"/> (first
/// seed): the further scores of every model, a confusion-matrix heat map and the per-class precision, recall and F1 of
/// the core models (teacher, student alone, student distilled), and for a binary task (or a chosen class against the
/// rest) their ROC and precision–recall curves with the positive class named.
/// </summary>
/// <remarks>
/// A heat map is a table (<c>table class="heatmap"</c>): rows are the true classes, columns the predicted ones, each
/// cell the count, shaded by its share of the row (the recall on the diagonal) so that rows of rare classes read as
/// well as frequent ones.
/// </remarks>
internal static class ClassificationHtml
{
    /// <summary>The page rules the heat maps need.</summary>
    public const string Style = """
        .heatmaps { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
        table.heatmap td { text-align: right; min-width: 2.2em; font-variant-numeric: tabular-nums; }
        table.heatmap caption { font-weight: bold; text-align: left; }
        """;

    /// <summary>Appends the class-level part of <paramref name="scenario"/>; nothing when no model has a detail.</summary>
    public static void Append(StringBuilder html, ScenarioReport scenario)
    {
        var detailed = DetailText.Detailed(scenario);
        if (detailed.Count == 0) return;
        html.Append($"<h3>{Markup.Escape(DetailText.Heading(scenario))}</h3>\n");
        BinaryDetail? binary = DetailText.Binary(scenario);
        if (binary is not null) html.Append($"<p>{Markup.Escape(DetailText.PositiveClass(binary))}</p>\n");
        HtmlReport.Table(html, DetailText.ScoresHeader(binary is not null), 1,
            detailed.Select(m => DetailText.ScoresRow(m, binary is not null).Select(cell => (cell, false)).ToList()));
        var core = DetailText.Core(scenario);
        if (core.Count == 0) return;
        html.Append("<p>Confusion matrices: rows are the true classes, columns the predicted ones; shading is the share of the row.</p>\n")
            .Append("<div class=\"heatmaps\">\n");
        foreach (var model in core) HeatMap(html, model.Name, model.Detail!);
        html.Append("</div>\n");
        HtmlReport.Table(html, DetailText.ClassHeader(core, full: true), 1,
            DetailText.ClassRows(core, full: true).Select(row => row.Select(cell => (cell, false)).ToList()));
        if (binary is null) return;
        var roc = core.Where(m => m.Detail!.Binary?.Roc is not null).Select(m => (m.Name, m.Detail!.Binary!.Roc!)).ToList();
        var pr = core.Where(m => m.Detail!.Binary?.PrecisionRecall is not null).Select(m => (m.Name, m.Detail!.Binary!.PrecisionRecall!)).ToList();
        string positive = $"positive class '{binary.PositiveClass}'";
        if (roc.Count > 0)
            html.Append("<figure>\n")
                .Append(SvgChart.UnitCurves($"{scenario.Name}: ROC curve, {positive}", "false-positive rate", "true-positive rate", roc, chanceDiagonal: true))
                .Append("\n<figcaption>Thresholded at every distinct predicted probability of the positive class; dashed: a random scorer.</figcaption>\n</figure>\n");
        if (pr.Count > 0)
            html.Append("<figure>\n")
                .Append(SvgChart.UnitCurves($"{scenario.Name}: precision–recall curve, {positive}", "recall", "precision", pr, chanceDiagonal: false))
                .Append("\n<figcaption>Thresholded at every distinct predicted probability of the positive class; the area is the average precision (PR-AUC).</figcaption>\n</figure>\n");
    }

    private static void HeatMap(StringBuilder html, string model, ClassificationDetail detail)
    {
        int classes = detail.ClassNames.Count;
        html.Append($"<table class=\"heatmap\">\n<caption>{Markup.Escape(model)}</caption>\n<thead><tr><th>true \\ predicted</th>");
        foreach (string name in detail.ClassNames) html.Append($"<th class=\"num\">{Markup.Escape(name)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        for (int t = 0; t < classes; t++)
        {
            long support = 0;
            for (int p = 0; p < classes; p++) support += detail.Confusion[t, p];
            html.Append($"<tr><th>{Markup.Escape(detail.ClassNames[t])}</th>");
            for (int p = 0; p < classes; p++)
            {
                int count = detail.Confusion[t, p];
                double share = support == 0 ? 0 : (double)count / support;
                // Okabe & Ito blue (the first chart colour) at an opacity of the share; white text once the cell is dark.
                string style = count == 0 ? "" :
                    string.Create(CultureInfo.InvariantCulture, $" style=\"background: rgba(0, 114, 178, {share:0.###});{(share > 0.55 ? " color: #fff;" : "")}\"");
                html.Append($"<td{style}>{count.ToString(CultureInfo.InvariantCulture)}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }
}
