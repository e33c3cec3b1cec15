using System.Globalization;
using TinyKd.Distill.Training;

namespace TinyKd.Cli;

/// <summary>
/// Renders training progress: a live bar on an interactive terminal (standard error, redrawn in place at most
/// ten times a second), and one summary line per epoch on standard output unless <c>epochLines</c> is false.
/// </summary>
public sealed class ProgressBar(TextWriter output, bool live, bool epochLines = true)
{
    private long _lastDraw;

    /// <summary>Shows one progress report.</summary>
    public void Report(TrainingProgress p)
    {
        if (p.EpochDone)
        {
            if (live) Console.Error.Write("\r" + new string(' ', 100) + "\r");
            if (!epochLines) return;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {p.Epoch,3}/{p.Epochs}  loss {p.Loss:F4}  train acc {p.Accuracy * 100,6:F2}%{(p.ValidationAccuracy is { } v ? $"  val acc {v * 100,6:F2}%" : "")}  {p.SamplesPerSecond,9:F0} samples/s"));
            return;
        }
        long now = Environment.TickCount64;
        if (!live || (now - _lastDraw < 100 && p.Batch != p.Batches)) return;
        _lastDraw = now;
        int width = 30, filled = p.Batches == 0 ? width : width * p.Batch / p.Batches;
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r  epoch {p.Epoch,3}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {p.Batch}/{p.Batches}  loss {p.Loss:F4}  acc {p.Accuracy * 100:F1}%  {p.SamplesPerSecond:F0}/s "));
    }
}
