using System.Diagnostics;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;

namespace TinyKd.Tests.Cli;

/// <summary>A run that diverges fails loudly and saves nothing, unless --allow-divergence keeps it with a warning.</summary>
public sealed class DivergenceCliTests : IDisposable
{
    private static readonly string[] Diverging = ["--model", "784-16-10", "--dropout", "0", "--epochs", "1", "--lr", "1e6", "--seed", "3"];

    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-diverge-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_at_lr_1e6_fails_with_the_reason_and_saves_no_model()
    {
        string path = Path.Combine(_dir, "m.tkd");
        var ex = Assert.Throws<TrainingDivergedException>(() => TrainCommand.Run([.. Diverging, "--out", path], TextWriter.Null));
        Assert.Contains("diverged", ex.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Train_with_allow_divergence_saves_the_model_and_records_why_in_its_metadata()
    {
        string path = Path.Combine(_dir, "m.tkd");
        Assert.Equal(0, TrainCommand.Run([.. Diverging, "--allow-divergence", "--out", path], TextWriter.Null));
        Assert.Contains("untrained model's", ModelFile.Load(path).Metadata["diverged"]);
    }

    [Fact]
    public void The_tinykd_executable_exits_3_with_one_line_for_a_diverged_run()
    {
        var (code, stderr) = RunTinykd(null, ["train", .. Diverging, "--out", Path.Combine(_dir, "m.tkd")]);
        Assert.Equal(3, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--allow-divergence", stderr);
    }

    [Theory]
    [InlineData("TINYKD_THREADS", "many")]
    [InlineData("TINYKD_KERNELS", "sse9")]
    public void A_bad_kernel_environment_variable_is_one_line_and_exit_code_2(string variable, string value)
    {
        var (code, stderr) = RunTinykd((variable, value), ["train", "--help"]);
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains($"{variable}='{value}'", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static (int ExitCode, string Stderr) RunTinykd((string Name, string Value)? environment, string[] args)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tinykd.exe" : "tinykd");
        var start = new ProcessStartInfo(exe, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (environment is { } env) start.Environment[env.Name] = env.Value;
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        stdout.Wait();
        process.WaitForExit();
        return (process.ExitCode, stderr);
    }
}
