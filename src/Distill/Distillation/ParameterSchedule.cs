using System.Globalization;

namespace TinyKd.Distill.Distillation;

/// <summary>How a scheduled value moves from its start to its end over a run.</summary>
public enum ScheduleShape
{
    /// <summary>The start value throughout.</summary>
    Constant,
    /// <summary>A straight line from start to end.</summary>
    Linear,
    /// <summary>Half a cosine from start to end (slow at both ends).</summary>
    Cosine,
}

/// <summary>
/// A hyper-parameter that changes over training — the distillation temperature T or the soft-target weight α —
/// as a function of the fraction p ∈ [0, 1] of the run done: constant, linear or cosine from
/// <see cref="Start"/> to <see cref="End"/>.
/// </summary>
/// <param name="Shape">How the value moves.</param>
/// <param name="Start">The value at p = 0.</param>
/// <param name="End">The value at p = 1 (ignored for <see cref="ScheduleShape.Constant"/>).</param>
public sealed record ParameterSchedule(ScheduleShape Shape, float Start, float End)
{
    /// <summary>A constant value.</summary>
    public static ParameterSchedule Constant(float value) => new(ScheduleShape.Constant, value, value);

    /// <summary>The value after fraction <paramref name="progress"/> of the run (clamped to [0, 1]).</summary>
    public float At(double progress)
    {
        double p = Math.Clamp(progress, 0, 1);
        return Shape switch
        {
            ScheduleShape.Linear => (float)(Start + (End - Start) * p),
            ScheduleShape.Cosine => (float)(End + (Start - End) * 0.5 * (1 + Math.Cos(Math.PI * p))),
            _ => Start,
        };
    }

    /// <summary>The value range the schedule passes through.</summary>
    public (float Min, float Max) Range => Shape == ScheduleShape.Constant ? (Start, Start) : (Math.Min(Start, End), Math.Max(Start, End));

    /// <summary>"4" for a constant, "linear 8→1" otherwise.</summary>
    public override string ToString() => Shape == ScheduleShape.Constant
        ? Start.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Shape.ToString().ToLowerInvariant()} {Start}→{End}");

    /// <summary>Parses "4", "linear:8:1" or "cosine:8:1".</summary>
    /// <exception cref="FormatException">The text is none of those forms (the message names it).</exception>
    public static ParameterSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        if (parts.Length == 1 && TryFloat(parts[0], out float value)) return Constant(value);
        if (parts.Length == 3 && Enum.TryParse(parts[0], ignoreCase: true, out ScheduleShape shape) && shape != ScheduleShape.Constant
            && TryFloat(parts[1], out float start) && TryFloat(parts[2], out float end))
            return new ParameterSchedule(shape, start, end);
        throw new FormatException($"'{text}' is not a value or a schedule (e.g. 4, linear:8:1, cosine:0.9:0.5).");
    }

    private static bool TryFloat(string s, out float value) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
}
