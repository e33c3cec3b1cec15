using System.Globalization;
using System.Text;

namespace TinyKd.Cli;

/// <summary>A command-line mistake: printed as one line with a pointer to --help, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>One option a command accepts.</summary>
/// <param name="Name">Long name without dashes.</param>
/// <param name="Value">Placeholder for its value, or null for a flag.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Default">The default shown in help, or null.</param>
public sealed record OptionSpec(string Name, string? Value, string Help, string? Default = null);

/// <summary>
/// Parsed <c>--name value</c> options, flags and positional arguments, checked against a command's option list;
/// typed getters turn bad values into <see cref="UsageException"/>s that name the option.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<OptionSpec> _specs;

    private CommandLine(IReadOnlyList<OptionSpec> specs) => _specs = specs;

    /// <summary>Arguments that are not options.</summary>
    public List<string> Positional { get; } = [];

    /// <summary>True when --help or -h was given.</summary>
    public bool WantsHelp { get; private set; }

    /// <summary>Parses <paramref name="args"/> against <paramref name="specs"/>.</summary>
    /// <exception cref="UsageException">An unknown option or a missing value.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var line = new CommandLine(specs);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a is "--help" or "-h") { line.WantsHelp = true; continue; }
            if (!a.StartsWith("--", StringComparison.Ordinal)) { line.Positional.Add(a); continue; }
            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            OptionSpec spec = specs.FirstOrDefault(s => s.Name == name)
                ?? throw new UsageException($"unknown option '--{name}'");
            string value = spec.Value is null ? "true"
                : inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"option '--{name}' needs a value ({spec.Value})"));
            line._values[name] = value;
            if (!line._repeated.TryGetValue(name, out List<string>? all)) line._repeated[name] = all = [];
            all.Add(value);
        }
        return line;
    }

    /// <summary>The raw value of an option, or its default.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out string? v) ? v : Spec(name).Default;

    /// <summary>Every value of an option given several times (e.g. two --teacher), in order; empty when absent.</summary>
    public IReadOnlyList<string> GetAll(string name) => _repeated.TryGetValue(name, out List<string>? all) ? all : [];

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => _values.ContainsKey(name);

    /// <summary>An integer option within [min, max].</summary>
    public int Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        string raw = Get(name) ?? throw new UsageException($"option '--{name}' is required");
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new UsageException($"option '--{name}' must be an integer in [{min}, {max}]; got '{raw}'");
        return v;
    }

    /// <summary>A number option within [min, max].</summary>
    public float Float(string name, float min = float.MinValue, float max = float.MaxValue)
    {
        string raw = Get(name) ?? throw new UsageException($"option '--{name}' is required");
        if (!float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v) || v < min || v > max)
            throw new UsageException($"option '--{name}' must be a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]; got '{raw}'");
        return v;
    }

    /// <summary>An unsigned 64-bit option (seeds).</summary>
    public ulong UInt64(string name)
    {
        string raw = Get(name) ?? throw new UsageException($"option '--{name}' is required");
        if (!ulong.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v))
            throw new UsageException($"option '--{name}' must be a non-negative integer; got '{raw}'");
        return v;
    }

    /// <summary>One of the given words (case-insensitive), returned in lower case.</summary>
    public string Choice(string name, params string[] choices)
    {
        string raw = (Get(name) ?? throw new UsageException($"option '--{name}' is required")).ToLowerInvariant();
        if (!choices.Contains(raw)) throw new UsageException($"option '--{name}' must be one of {string.Join(", ", choices)}; got '{raw}'");
        return raw;
    }

    /// <summary>The help text listing every option.</summary>
    public static string Help(string usage, string summary, IReadOnlyList<OptionSpec> specs)
    {
        var sb = new StringBuilder().AppendLine($"usage: {usage}").AppendLine().AppendLine(summary).AppendLine().AppendLine("options:");
        foreach (OptionSpec s in specs)
        {
            string left = s.Value is null ? $"--{s.Name}" : $"--{s.Name} {s.Value}";
            string right = s.Default is null ? s.Help : $"{s.Help} (default {s.Default})";
            sb.AppendLine($"  {left,-28} {right}");
        }
        sb.AppendLine($"  {"--help",-28} show this help");
        return sb.ToString();
    }

    private OptionSpec Spec(string name) => _specs.First(s => s.Name == name);
}
