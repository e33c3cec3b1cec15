using System.Diagnostics;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;

namespace TinyKd.Tests.Cli;

// A distillation run killed with SIGKILL (no chance to clean up) and started again with --resume ends with weights
// bit-identical to a run that was never interrupted.
public sealed class KillResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private static Process Start(params string[] args)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tinykd.exe" : "tinykd");
        var info = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        return Process.Start(info)!;
    }

    private static void Finish(Process p)
    {
        string stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tinykd exited with {p.ExitCode}: {stderr}");
    }

    [Fact]
    public void A_killed_distillation_resumes_to_bit_identical_weights()
    {
        string teacher = File("teacher.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-64-10", "--dropout", "0", "--epochs", "1", "--out", teacher], TextWriter.Null));
        string[] run = ["distill", "--teacher", teacher, "--student", "784-128-10", "--epochs", "8", "--labelled", "3000", "--patience", "50", "--resume"];

        using (var straight = Start([.. run, "--checkpoint", File("straight.ckpt"), "--out", File("straight.tkd")])) Finish(straight);

        string checkpoint = File("killed.ckpt");
        using (var victim = Start([.. run, "--checkpoint", checkpoint, "--out", File("resumed.tkd")]))
        {
            // Poll for the first checkpoint (at most about two minutes of 2 ms naps), then kill at once.
            for (int nap = 0; nap < 60_000 && !System.IO.File.Exists(checkpoint) && !victim.HasExited; nap++) Thread.Sleep(2);
            Assert.False(victim.HasExited, "the run ended before it could be killed");
            victim.Kill();
            victim.WaitForExit();
        }
        Assert.False(System.IO.File.Exists(File("resumed.tkd")), "the killed run got to save its model");
        var (state, _) = Checkpoint.Load(checkpoint);
        Assert.InRange(state.Epoch, 1, 7);

        using (var resumed = Start([.. run, "--checkpoint", checkpoint, "--out", File("resumed.tkd")])) Finish(resumed);

        float[] expected = Weights(File("straight.tkd")), actual = Weights(File("resumed.tkd"));
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"weight {i}: {expected[i]} vs {actual[i]}");
    }

    private static float[] Weights(string path) => ModelFile.Load(path).Model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
}
