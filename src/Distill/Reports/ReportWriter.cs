using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>Writes the report folder of <c>tinykd pipeline</c>: report.md, report.json and report.html.</summary>
public static class ReportWriter
{
    /// <summary>Name of the Markdown report in the folder.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>Name of the JSON report in the folder.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>Name of the HTML report in the folder.</summary>
    public const string HtmlFileName = "report.html";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and writes the three reports into it as UTF-8 without a byte-order
    /// mark, replacing earlier ones. All three are rendered before any is written, so a rendering error writes nothing;
    /// each file is written to a temporary file in the same folder and then moved over the final name, so a reader
    /// never sees a half-written report.
    /// </summary>
    /// <returns>The full paths written: Markdown, JSON, HTML.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null, empty or blank.</exception>
    /// <exception cref="IOException">The folder or a file cannot be written (the message names it).</exception>
    public static IReadOnlyList<string> Write(PipelineReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckDirectory(directory);
        return WriteFiles(directory,
        [
            (MarkdownFileName, MarkdownReport.Render(report)),
            (JsonFileName, JsonReport.Render(report)),
            (HtmlFileName, HtmlReport.Render(report)),
        ]);
    }

    /// <summary>Throws unless <paramref name="directory"/> is a usable folder path (checked before anything is rendered).</summary>
    /// <exception cref="ArgumentException">The path is null, empty or blank.</exception>
    public static void CheckDirectory(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException("The report folder must be a non-empty path.", nameof(directory));
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and writes already rendered files into it, each as UTF-8 without a
    /// byte-order mark through a temporary file and a rename. Returns the full paths, in order. Every report folder
    /// (the image pipeline's and the recommender's) is written here.
    /// </summary>
    /// <exception cref="IOException">The folder or a file cannot be written (the message names it).</exception>
    public static IReadOnlyList<string> WriteFiles(string directory, IReadOnlyList<(string Name, string Text)> files)
    {
        string folder = Path.GetFullPath(directory);
        Directory.CreateDirectory(folder);
        var written = new List<string>(files.Count);
        foreach (var (name, text) in files)
        {
            string path = Path.Combine(folder, name);
            WriteAtomically(path, Utf8.GetBytes(text));
            written.Add(path);
        }
        return written;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        try
        {
            AtomicFile.Write(path, stream => stream.Write(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the report file '{path}': {e.Message}", e);
        }
    }
}
