using TinyKd.Distill.Reports;

namespace TinyKd.Recommender;

/// <summary>Writes the recommender report as report.md, report.json and report.html into one folder, each atomically.</summary>
public static class RecommenderReportWriter
{
    /// <summary>
    /// Renders all three first (so a rendering error writes nothing), creates <paramref name="directory"/> and writes
    /// each file through a temporary file and a rename, as <see cref="ReportWriter"/> does. Returns the full paths written.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null, empty or blank.</exception>
    /// <exception cref="IOException">A file cannot be written (the message names it).</exception>
    public static IReadOnlyList<string> Write(RecommenderReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ReportWriter.CheckDirectory(directory);
        return ReportWriter.WriteFiles(directory,
        [
            (ReportWriter.MarkdownFileName, RecommenderMarkdownReport.Render(report)),
            (ReportWriter.JsonFileName, RecommenderJsonReport.Render(report)),
            (ReportWriter.HtmlFileName, RecommenderHtmlReport.Render(report)),
        ]);
    }
}
