using System.Diagnostics;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("--model", "784-abc-10", "'abc' is not a positive integer")]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--lr", "fast", "--lr")]
    [InlineData("--optimizer", "rmsprop", "--optimizer")]
    [InlineData("--dropout", "1.5", "--dropout")]
    [InlineData("--model", "784-128-5", "does not match the data's 10 classes")]
    [InlineData("--model", "100-32-10", "input width 100")]
    public void Train_rejects_bad_arguments_with_a_message_naming_them(string option, string value, string fragment)
    {
        var ex = Assert.Throws<UsageException>(() => TrainCommand.Run([option, value, "--out", Path.Combine(_dir, "m.tkd")], TextWriter.Null));
        Assert.Contains(fragment, ex.Message);
    }

    [Fact]
    public void Unknown_option_is_a_usage_error() =>
        Assert.Contains("--colour", Assert.Throws<UsageException>(() => TrainCommand.Run(["--colour", "red"], TextWriter.Null)).Message);

    [Fact]
    public void Missing_data_folder_names_it_and_the_debian_package()
    {
        var ex = Assert.ThrowsAny<IOException>(() => TrainCommand.Run(["--data", Path.Combine(_dir, "nowhere")], TextWriter.Null));
        Assert.Contains("nowhere", ex.Message);
        Assert.Contains("dataset-fashion-mnist", ex.Message);
    }

    [Fact]
    public void Help_lists_every_option_of_train()
    {
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--help"], output));
        foreach (string option in new[] { "--model", "--dropout", "--epochs", "--lr", "--optimizer", "--data", "--out", "--seed" })
            Assert.Contains(option, output.ToString());
    }

    [Fact]
    public void Train_then_eval_reports_the_same_test_accuracy()
    {
        string path = Path.Combine(_dir, "small.tkd");
        var trainOutput = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--dropout", "0", "--epochs", "1", "--out", path], trainOutput));
        string saved = ModelFile.Load(path).Metadata["test_accuracy"];
        var evalOutput = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([path], evalOutput));
        string trainLine = trainOutput.ToString().Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
        string evalLine = evalOutput.ToString().Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
        Assert.Equal(trainLine, evalLine);
        Assert.False(string.IsNullOrEmpty(saved));
    }

    [Fact]
    public void Eval_of_an_empty_model_argument_says_which_argument()
    {
        var e = Assert.Throws<UsageException>(() => EvalCommand.Run([""], TextWriter.Null));
        Assert.Contains("MODEL argument is empty", e.Message);
    }

    [Fact]
    public void The_tinykd_executable_prints_one_line_and_exit_code_2_for_a_bad_argument()
    {
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tinykd.exe" : "tinykd");
        var start = new ProcessStartInfo(exe, ["train", "--epochs", "-3"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--epochs", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
