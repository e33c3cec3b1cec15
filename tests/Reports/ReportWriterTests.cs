using System.Text;
using TinyKd.Distill.Reports;
using TinyKd.Tests.Data;

namespace TinyKd.Tests.Reports;

public class ReportWriterTests
{
    [Fact]
    public void Write_creates_the_folder_and_writes_the_three_reports()
    {
        using var temp = new TempDirectory();
        string folder = temp.File("nested/report");
        var report = ReportFixture.Sample();

        var paths = ReportWriter.Write(report, folder);

        Assert.Equal([Path.Combine(folder, "report.md"), Path.Combine(folder, "report.json"), Path.Combine(folder, "report.html")], paths);
        Assert.Equal(MarkdownReport.Render(report), File.ReadAllText(paths[0]));
        Assert.Equal(JsonReport.Render(report), File.ReadAllText(paths[1]));
        Assert.Equal(HtmlReport.Render(report), File.ReadAllText(paths[2]));
    }

    [Fact]
    public void Write_leaves_no_temporary_file_and_replaces_earlier_reports()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("report.md"), "old");

        ReportWriter.Write(ReportFixture.Sample(), temp.Path);

        Assert.Equal(["report.html", "report.json", "report.md"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
        Assert.StartsWith("# TinyKd pipeline", File.ReadAllText(temp.File("report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Files_are_utf8_without_a_byte_order_mark()
    {
        using var temp = new TempDirectory();

        var paths = ReportWriter.Write(ReportFixture.Sample(), temp.Path);

        byte[] bytes = File.ReadAllBytes(paths[0]);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Contains("µs/sample", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_that_cannot_be_rendered_writes_nothing()
    {
        using var temp = new TempDirectory();
        var sample = ReportFixture.Sample();
        var first = sample.Scenarios[0];
        var broken = sample with { Scenarios = [first with { Search = [.. first.Search, first.Search[0]] }] };

        Assert.Throws<ArgumentException>(() => ReportWriter.Write(broken, temp.File("out")));

        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Write_rejects_a_blank_folder_naming_the_parameter(string directory)
    {
        var e = Assert.Throws<ArgumentException>(() => ReportWriter.Write(ReportFixture.Sample(), directory));

        Assert.Equal("directory", e.ParamName);
    }
}
