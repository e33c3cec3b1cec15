namespace TinyKd.Cli;

/// <summary>
/// How the commands treat a training run that diverged. Without <c>--allow-divergence</c> the trainers throw and the
/// process ends with <see cref="ExitCode"/> before anything is saved; with it, the result is saved, a warning goes to
/// standard error and the saved model's metadata records why (key <c>diverged</c>).
/// </summary>
public static class DivergenceReport
{
    /// <summary>The exit code of a run that diverged (1 is a bad file, 2 a usage error).</summary>
    public const int ExitCode = 3;

    /// <summary>The help line of the <c>--allow-divergence</c> flag.</summary>
    public static OptionSpec Option { get; } =
        new("allow-divergence", null, $"keep the result of a run that diverged with finite numbers (with a warning) instead of failing with exit code {ExitCode}");

    /// <summary>
    /// Warns on standard error that <paramref name="what"/> is kept although its training diverged; says nothing when
    /// <paramref name="reason"/> is null.
    /// </summary>
    public static void Warn(string? reason, string what)
    {
        if (reason is not null) Console.Error.WriteLine($"tinykd: warning: training diverged ({reason}); keeping {what} anyway (--allow-divergence)");
    }

    /// <summary>Adds the key <c>diverged</c> with the reason to a model's metadata when the run diverged.</summary>
    public static Dictionary<string, string> WithDivergence(this Dictionary<string, string> metadata, string? reason)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (reason is not null) metadata["diverged"] = reason;
        return metadata;
    }
}
