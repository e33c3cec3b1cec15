using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>
/// The pipeline report as GitHub-flavoured Markdown: a heading, the summary lines, and per scenario its description, the
/// model table, the verdict, the temperature/α grid and, for models with a <see cref="ModelResult.Detail"/>, their
/// further scores (log-loss, Brier, balanced accuracy, MCC, F1 averages; a binary task's positive-class scores) and the
/// per-class F1 of the core models. Numbers use the invariant culture; lines end in "\n".
/// </summary>
public static class MarkdownReport
{
    /// <summary>Renders <paramref name="report"/>.</summary>
    /// <remarks>
    /// A '|' inside a table cell is escaped as "\|" and line breaks inside any text become spaces, so a name cannot
    /// break the table. Test accuracy is a percentage ("mean ± std (min–max)" over several seeds); macro-F1 and ECE are
    /// fractions with four decimals; a value that is not finite shows as "—".
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    /// <exception cref="ArgumentException">A scenario's search holds the same (T, α) pair twice.</exception>
    public static string Render(PipelineReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append("# ").Append(Inline(report.Title)).Append("\n\n");
        foreach (var (label, value) in ReportText.Summary(report))
            md.Append("- **").Append(label).Append(":** ").Append(Inline(value)).Append('\n');
        foreach (var scenario in report.Scenarios)
        {
            md.Append("\n## ").Append(Inline(scenario.Name)).Append("\n\n");
            if (!string.IsNullOrWhiteSpace(scenario.Description)) md.Append(Inline(scenario.Description)).Append("\n\n");
            Table(md, ReportText.ModelHeader, ReportText.TextColumns, scenario.Models.Select(ReportText.ModelRow));
            md.Append('\n').Append(Inline(ReportText.Verdict(scenario.Comparison))).Append('\n');
            if (scenario.Pruning.Count > 0) md.Append('\n');
            foreach (var cost in scenario.Pruning) md.Append("- ").Append(Inline(ReportText.PruningCost(cost))).Append('\n');
            if (scenario.Search.Count > 0)
                foreach (var (caption, value) in SearchGrid.Tables(report.Seeds)) Search(md, SearchGrid.Of(scenario, nameof(report)), caption, value);
            Detail(md, scenario);
        }
        return md.ToString();
    }

    // The further scores of every model and the per-class F1 of the core models (precision and recall are in the HTML
    // and JSON reports: the Markdown is also what the console shows, and stays short).
    private static void Detail(StringBuilder md, ScenarioReport scenario)
    {
        var detailed = DetailText.Detailed(scenario);
        if (detailed.Count == 0) return;
        md.Append("\n### ").Append(Inline(DetailText.Heading(scenario))).Append("\n\n");
        BinaryDetail? binary = DetailText.Binary(scenario);
        if (binary is not null) md.Append(Inline(DetailText.PositiveClass(binary))).Append("\n\n");
        Table(md, DetailText.ScoresHeader(binary is not null), 1, detailed.Select(m => DetailText.ScoresRow(m, binary is not null)));
        var core = DetailText.Core(scenario);
        if (core.Count == 0) return;
        md.Append('\n');
        Table(md, DetailText.ClassHeader(core, full: false), 1, DetailText.ClassRows(core, full: false));
    }

    private static void Search(StringBuilder md, SearchGrid grid, string caption, Func<SearchCell?, string> value)
    {
        md.Append('\n').Append(caption).Append("\n\n");
        var header = new List<string> { SearchGrid.Corner };
        header.AddRange(grid.Alphas.Select(ReportText.Hyperparameter));
        var rows = grid.Temperatures.Select((t, row) =>
        {
            var cells = new List<string> { ReportText.Hyperparameter(t) };
            for (int column = 0; column < grid.Alphas.Count; column++)
            {
                var cell = grid[row, column];
                string text = value(cell);
                cells.Add(cell is { Chosen: true } ? $"**{text}**" : text);
            }
            return (IReadOnlyList<string>)cells;
        });
        Table(md, header, textColumns: 0, rows);
    }

    private static void Table(StringBuilder md, IReadOnlyList<string> header, int textColumns, IEnumerable<IReadOnlyList<string>> rows)
    {
        Row(md, header);
        md.Append('|');
        for (int c = 0; c < header.Count; c++) md.Append(c < textColumns ? " --- |" : " ---: |");
        md.Append('\n');
        foreach (var row in rows) Row(md, row);
    }

    private static void Row(StringBuilder md, IReadOnlyList<string> cells)
    {
        md.Append('|');
        foreach (string cell in cells) md.Append(' ').Append(Cell(cell)).Append(" |");
        md.Append('\n');
    }

    /// <summary>Text inside a table cell: on one line, with '|' escaped.</summary>
    internal static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>Text on one line: line breaks become spaces.</summary>
    internal static string Inline(string text) =>
        text.ReplaceLineEndings(" ").Trim();
}
