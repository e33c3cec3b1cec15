namespace TinyKd.Distill.Reports;

/// <summary>One line of a line chart: <paramref name="Values"/>[i] is drawn at x = i + 1 (the epoch).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">The y value after each step; a value that is not finite leaves a gap in the line.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> Values);
