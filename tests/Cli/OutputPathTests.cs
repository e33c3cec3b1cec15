using TinyKd.Cli;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Cli;

/// <summary>Every command checks where it will write before it trains, and names the option and the path.</summary>
public sealed class OutputPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string, string> EmptyFileOptions => new()
    {
        { "train", "out", "" },
        { "distill", "out", "" },
        { "distill", "checkpoint", " " },
        { "eval", "logits-out", "" },
        { "bench", "json", "" },
        { "recsys synth", "out", "" },
        { "pipeline", "report", "" },
        { "recsys pipeline", "report", "" },
        { "recsys report", "out", "" },
    };

    [Theory]
    [MemberData(nameof(EmptyFileOptions))]
    public void An_empty_output_path_is_a_usage_error_naming_the_option(string command, string option, string value)
    {
        var ex = Assert.Throws<UsageException>(() => Run(command, option, value));
        Assert.Contains($"--{option}", ex.Message);
    }

    [Theory]
    [InlineData("train", "out")]
    [InlineData("distill", "out")]
    [InlineData("distill", "checkpoint")]
    [InlineData("eval", "logits-out")]
    [InlineData("bench", "json")]
    [InlineData("recsys synth", "out")]
    public void A_folder_given_for_an_output_file_is_a_usage_error_naming_it(string command, string option)
    {
        var ex = Assert.Throws<UsageException>(() => Run(command, option, _dir));
        Assert.Contains($"--{option}", ex.Message);
        Assert.Contains(_dir, ex.Message);
        Assert.Contains("is a folder", ex.Message);
    }

    [Theory]
    [InlineData("train", "out")]
    [InlineData("distill", "checkpoint")]
    [InlineData("pipeline", "report")]
    [InlineData("recsys pipeline", "report")]
    [InlineData("recsys report", "out")]
    public void An_output_under_an_existing_file_cannot_be_created_and_is_a_usage_error(string command, string option)
    {
        string file = Path.Combine(_dir, "plain.txt");
        File.WriteAllText(file, "not a folder");
        var ex = Assert.Throws<UsageException>(() => Run(command, option, Path.Combine(file, "inside", "x.tkd")));
        Assert.Contains($"--{option}", ex.Message);
        Assert.Contains("is a file", ex.Message);
    }

    [Fact]
    public void A_file_given_for_a_report_folder_is_a_usage_error_naming_it()
    {
        string file = Path.Combine(_dir, "report");
        File.WriteAllText(file, "");
        var ex = Assert.Throws<UsageException>(() => PipelineCommand.Run(["--report", file], TextWriter.Null));
        Assert.Contains("--report", ex.Message);
        Assert.Contains("is a file", ex.Message);
    }

    [Fact]
    public void A_read_only_output_file_is_a_usage_error()
    {
        string file = Path.Combine(_dir, "model.tkd");
        File.WriteAllText(file, "");
        File.SetAttributes(file, FileAttributes.ReadOnly);
        var ex = Assert.Throws<UsageException>(() => TrainCommand.Run(["--out", file], TextWriter.Null));
        Assert.Contains("read-only", ex.Message);
    }

    [Fact]
    public void Checking_a_writable_output_leaves_nothing_behind()
    {
        Assert.Equal(Path.Combine(_dir, "new", "m.tkd"), OutputPath.File("out", Path.Combine(_dir, "new", "m.tkd")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    // The command with the option set to value, and whatever else it needs to get as far as checking its outputs.
    private int Run(string command, string option, string value) => command switch
    {
        "train" => TrainCommand.Run([$"--{option}", value], TextWriter.Null),
        "distill" => DistillCommand.Run(["--teacher", Path.Combine(_dir, "absent.tkd"), $"--{option}", value], TextWriter.Null),
        "eval" => EvalCommand.Run([Path.Combine(_dir, "absent.tkd"), $"--{option}", value], TextWriter.Null),
        "bench" => BenchCommand.Run([$"--{option}", value], TextWriter.Null),
        "pipeline" => PipelineCommand.Run([$"--{option}", value], TextWriter.Null),
        "recsys synth" => RecsysCommand.Run(["synth", $"--{option}", value], TextWriter.Null),
        "recsys pipeline" => RecsysCommand.Run(["pipeline", $"--{option}", value], TextWriter.Null),
        "recsys report" => RecsysCommand.Run(["report", "--json", Path.Combine(_dir, "absent.json"), $"--{option}", value], TextWriter.Null),
        _ => throw new ArgumentException($"unknown command '{command}'", nameof(command)),
    };
}
