using System.Text;

namespace TinyKd.Recommender;

/// <summary>
/// The recommender report as GitHub-flavoured Markdown: the summary lines, the model table (NDCG@10, Recall@10 and
/// AUC for all users and for the cold-start group, size and speed), the comparison table with verdicts and, when the run
/// served models from int8 tables, the int8-against-fp32 table.
/// </summary>
public static class RecommenderMarkdownReport
{
    /// <summary>Renders <paramref name="report"/>; '|' in a cell is escaped and line breaks become spaces.</summary>
    public static string Render(RecommenderReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append("# TinyKd recommender distillation (").Append(Inline(report.Engine)).Append(")\n\n");
        foreach (var (label, value) in RecommenderReportText.Summary(report))
            md.Append("- **").Append(label).Append(":** ").Append(Inline(value)).Append('\n');
        md.Append("\n## Models (test, full ranking)\n\n");
        Table(md, RecommenderReportText.ModelHeader, RecommenderReportText.TextColumns, report.Models.Select(RecommenderReportText.ModelRow));
        md.Append("\n## Distilled students against the same student alone\n\n");
        Table(md, RecommenderReportText.ComparisonHeader, 4, report.Comparisons.Select(RecommenderReportText.ComparisonRow));
        if (report.Int8.Count > 0)
        {
            md.Append("\n## ").Append(RecommenderReportText.Int8Title).Append("\n\n");
            Table(md, RecommenderReportText.Int8Header, RecommenderReportText.Int8TextColumns, report.Int8.Select(RecommenderReportText.Int8Row));
        }
        return md.ToString();
    }

    private static void Table(StringBuilder md, IReadOnlyList<string> header, int textColumns, IEnumerable<IReadOnlyList<string>> rows)
    {
        md.Append("| ").Append(string.Join(" | ", header.Select(Inline))).Append(" |\n|");
        for (int c = 0; c < header.Count; c++) md.Append(c < textColumns ? "---|" : "---:|");
        md.Append('\n');
        foreach (IReadOnlyList<string> row in rows) md.Append("| ").Append(string.Join(" | ", row.Select(Inline))).Append(" |\n");
    }

    private static string Inline(string text) => text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
}
