using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>
/// What every chart shares: the canvas with its viewBox, the title, the plot area with horizontal grid lines, both axes
/// with ticks, tick labels and a caption, the legend in the right margin, and the colour palette. Data coordinates
/// become canvas coordinates through <see cref="PlotX"/> and <see cref="PlotY"/>.
/// </summary>
internal sealed class ChartFrame
{
    /// <summary>Canvas width in SVG user units.</summary>
    public const double Width = 640;

    /// <summary>Legend entries longer than this are cut with an ellipsis.</summary>
    private const int LegendCharacters = 22;

    // Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), yellow left out: too pale on white.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

    public ChartFrame(double height, ChartAxis x, ChartAxis y)
    {
        Height = height;
        X = x;
        Y = y;
        // The vertical caption is centred at x = 16; the tick labels end 8 units left of the axis.
        Left = Math.Max(56, 34 + LabelPlacer.CharacterWidth * 1.1 * y.Ticks.Select(t => y.Label(t).Length).DefaultIfEmpty(0).Max());
    }

    /// <summary>Canvas height in SVG user units.</summary>
    public double Height { get; }

    /// <summary>The horizontal axis.</summary>
    public ChartAxis X { get; }

    /// <summary>The vertical axis.</summary>
    public ChartAxis Y { get; }

    /// <summary>Left edge of the plot area: room for the longest vertical tick label and the vertical caption.</summary>
    public double Left { get; }

    /// <summary>Right edge of the plot area (the legend lies beyond).</summary>
    public double Right => Width - 170;

    /// <summary>Top edge of the plot area (room for the title).</summary>
    public double Top => 40;

    /// <summary>Bottom edge of the plot area (room for the tick labels and the horizontal caption).</summary>
    public double Bottom => Height - 52;

    /// <summary>The colour of series or group <paramref name="index"/>; the palette repeats after seven.</summary>
    public static string Colour(int index) => Palette[index % Palette.Length];

    /// <summary>Canvas x of data value <paramref name="x"/>.</summary>
    public double PlotX(double x) => Left + X.Fraction(x) * (Right - Left);

    /// <summary>Canvas y of data value <paramref name="y"/> (up is larger).</summary>
    public double PlotY(double y) => Bottom - Y.Fraction(y) * (Bottom - Top);

    /// <summary>Opens the &lt;svg&gt; element and draws the background and the title.</summary>
    public void Open(StringBuilder svg, string title)
    {
        string w = Markup.Number(Width), h = Markup.Number(Height), t = Markup.Escape(title);
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" ")
           .Append($"font-family=\"system-ui, sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{t}\">\n")
           .Append($"<title>{t}</title>\n")
           .Append($"<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n")
           .Append($"<text class=\"title\" x=\"{Markup.Number((Left + Right) / 2)}\" y=\"22\" text-anchor=\"middle\" ")
           .Append($"font-size=\"14\" font-weight=\"bold\">{t}</text>\n");
    }

    /// <summary>Draws the grid, the axis lines, the ticks with their labels and the two axis captions.</summary>
    public void Axes(StringBuilder svg, string xCaption, string yCaption)
    {
        string left = Markup.Number(Left), right = Markup.Number(Right), top = Markup.Number(Top), bottom = Markup.Number(Bottom);
        svg.Append("<g class=\"grid\" stroke=\"#e6e6e6\">\n");
        foreach (double tick in Y.Ticks)
            svg.Append($"<line x1=\"{left}\" x2=\"{right}\" y1=\"{Markup.Number(PlotY(tick))}\" y2=\"{Markup.Number(PlotY(tick))}\"/>\n");
        svg.Append("</g>\n<g class=\"axes\" stroke=\"#444444\" fill=\"#333333\">\n")
           .Append($"<line x1=\"{left}\" x2=\"{right}\" y1=\"{bottom}\" y2=\"{bottom}\"/>\n")
           .Append($"<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{bottom}\"/>\n");
        foreach (double tick in X.Ticks)
        {
            string x = Markup.Number(PlotX(tick));
            svg.Append($"<line x1=\"{x}\" x2=\"{x}\" y1=\"{bottom}\" y2=\"{Markup.Number(Bottom + 5)}\"/>\n")
               .Append($"<text x=\"{x}\" y=\"{Markup.Number(Bottom + 18)}\" text-anchor=\"middle\" stroke=\"none\">")
               .Append(Markup.Escape(X.Label(tick))).Append("</text>\n");
        }
        foreach (double tick in Y.Ticks)
        {
            string y = Markup.Number(PlotY(tick));
            svg.Append($"<line x1=\"{Markup.Number(Left - 5)}\" x2=\"{left}\" y1=\"{y}\" y2=\"{y}\"/>\n")
               .Append($"<text x=\"{Markup.Number(Left - 8)}\" y=\"{Markup.Number(PlotY(tick) + 4)}\" text-anchor=\"end\" stroke=\"none\">")
               .Append(Markup.Escape(Y.Label(tick))).Append("</text>\n");
        }
        string middleY = Markup.Number((Top + Bottom) / 2);
        svg.Append($"<text x=\"{Markup.Number((Left + Right) / 2)}\" y=\"{Markup.Number(Height - 12)}\" text-anchor=\"middle\" stroke=\"none\">")
           .Append(Markup.Escape(xCaption)).Append("</text>\n")
           .Append($"<text x=\"16\" y=\"{middleY}\" transform=\"rotate(-90 16 {middleY})\" text-anchor=\"middle\" stroke=\"none\">")
           .Append(Markup.Escape(yCaption)).Append("</text>\n</g>\n");
    }

    /// <summary>
    /// Draws the legend in the right margin, one entry per name in palette order: a short line when
    /// <paramref name="lines"/>, otherwise a dot.
    /// </summary>
    public void Legend(StringBuilder svg, IReadOnlyList<string> names, bool lines)
    {
        svg.Append("<g class=\"legend\">\n");
        for (int i = 0; i < names.Count; i++)
        {
            double y = Top + 8 + 20 * i;
            string colour = Colour(i), x = Markup.Number(Right + 16), cy = Markup.Number(y);
            svg.Append(lines
                ? $"<line x1=\"{x}\" x2=\"{Markup.Number(Right + 40)}\" y1=\"{cy}\" y2=\"{cy}\" stroke=\"{colour}\" stroke-width=\"3\"/>\n"
                : $"<circle cx=\"{Markup.Number(Right + 28)}\" cy=\"{cy}\" r=\"5\" fill=\"{colour}\"/>\n");
            string name = names[i].Length > LegendCharacters ? names[i][..(LegendCharacters - 1)] + "…" : names[i];
            svg.Append($"<text x=\"{Markup.Number(Right + 48)}\" y=\"{Markup.Number(y + 4)}\">{Markup.Escape(name)}</text>\n");
        }
        svg.Append("</g>\n");
    }

    /// <summary>Closes the &lt;svg&gt; element.</summary>
    public static void Close(StringBuilder svg) => svg.Append("</svg>");
}
