using System.Text;

namespace TinyKd.Distill.Recommender;

/// <summary>Writes the recommender report as report.md, report.json and report.html into one folder, each atomically.</summary>
public static class RecommenderReportWriter
{
    /// <summary>
    /// Renders all three first (so a rendering error writes nothing), creates <paramref name="directory"/> and writes
    /// each file through a temporary file and a rename. Returns the full paths written.
    /// </summary>
    /// <exception cref="IOException">A file cannot be written (the message names it).</exception>
    public static IReadOnlyList<string> Write(RecommenderReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("The report folder must be a non-empty path.", nameof(directory));
        var files = new (string Name, string Text)[]
        {
            ("report.md", RecommenderMarkdownReport.Render(report)),
            ("report.json", RecommenderJsonReport.Render(report)),
            ("report.html", RecommenderHtmlReport.Render(report)),
        };
        string folder = Path.GetFullPath(directory);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            string path = Path.Combine(folder, name);
            try
            {
                AtomicFile.Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Cannot write the report file '{path}': {e.Message}", e);
            }
            written.Add(path);
        }
        return written;
    }
}
