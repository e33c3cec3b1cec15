namespace TinyKd.Distill.Reports;

/// <summary>An axis-aligned rectangle in canvas units.</summary>
internal readonly record struct LabelBox(double Left, double Top, double Right, double Bottom)
{
    /// <summary>Area shared with <paramref name="other"/> (0 when they do not touch).</summary>
    public double Overlap(LabelBox other) =>
        Math.Max(0, Math.Min(Right, other.Right) - Math.Max(Left, other.Left)) *
        Math.Max(0, Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top));

    /// <summary>Area of this box lying outside <paramref name="bounds"/>.</summary>
    public double Outside(LabelBox bounds) => (Right - Left) * (Bottom - Top) - Overlap(bounds);
}

/// <summary>Where a point's label goes: the text anchor point, its SVG text-anchor, its box and whether a leader line is needed.</summary>
internal readonly record struct LabelPlacement(double X, double Y, string Anchor, LabelBox Box, bool Leader);

/// <summary>
/// Greedy label placement for a handful of scatter points: each label, in order, takes the first of a fixed list of
/// spots around its point (right, left, above, below, the diagonals, then further up or down) whose box overlaps no
/// earlier label, no obstacle (markers, error bars) and stays inside the bounds; when none is free, the spot with the
/// least overlap. Text size is estimated (no font metrics in an SVG writer), generously, for an 11-unit sans-serif font.
/// </summary>
internal static class LabelPlacer
{
    /// <summary>Estimated advance of one character at font size 11.</summary>
    public const double CharacterWidth = 6.4;

    private const double Ascent = 9, Descent = 3;

    // (dx, dy) from the point to the text anchor, and the SVG text-anchor; the first eight hug the point.
    private static readonly (double Dx, double Dy, string Anchor)[] Spots = BuildSpots();

    /// <summary>Places one label per anchor point.</summary>
    /// <param name="points">Canvas positions of the points.</param>
    /// <param name="labels">Texts, one per point.</param>
    /// <param name="obstacles">Boxes labels should not cover (markers, error bars).</param>
    /// <param name="bounds">Box labels should stay inside.</param>
    public static IReadOnlyList<LabelPlacement> Place(IReadOnlyList<(double X, double Y)> points, IReadOnlyList<string> labels,
        IReadOnlyList<LabelBox> obstacles, LabelBox bounds)
    {
        var placed = new List<LabelPlacement>(points.Count);
        for (int i = 0; i < points.Count; i++)
        {
            double width = CharacterWidth * labels[i].Length;
            LabelPlacement best = default;
            double bestCost = double.PositiveInfinity;
            for (int s = 0; s < Spots.Length && bestCost > 0; s++)
            {
                var (dx, dy, anchor) = Spots[s];
                double x = points[i].X + dx, y = points[i].Y + dy;
                double left = anchor switch { "start" => x, "end" => x - width, _ => x - width / 2 };
                var box = new LabelBox(left, y - Ascent, left + width, y + Descent);
                double cost = 4 * box.Outside(bounds) + placed.Sum(p => box.Overlap(p.Box)) + obstacles.Sum(o => box.Overlap(o));
                if (cost < bestCost) (best, bestCost) = (new LabelPlacement(x, y, anchor, box, Leader: s >= 8), cost);
            }
            placed.Add(best);
        }
        return placed;
    }

    private static (double, double, string)[] BuildSpots()
    {
        var spots = new List<(double, double, string)>
        {
            (9, 4, "start"), (-9, 4, "end"), (0, -10, "middle"), (0, 18, "middle"),
            (7, -8, "start"), (7, 16, "start"), (-7, -8, "end"), (-7, 16, "end"),
        };
        for (int k = 1; k <= 4; k++)
        {
            foreach (int sign in new[] { -1, 1 })
            {
                spots.Add((9, 4 + sign * 14 * k, "start"));
                spots.Add((-9, 4 + sign * 14 * k, "end"));
            }
        }
        return spots.ToArray();
    }
}
