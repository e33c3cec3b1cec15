using System.Globalization;
using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>Escaping and number formatting shared by the HTML page and its SVG charts.</summary>
internal static class Markup
{
    /// <summary>
    /// <paramref name="text"/> safe as HTML or XML text and as a double- or single-quoted attribute value: &amp;, &lt;,
    /// &gt;, " and ' become character references.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    /// <summary>
    /// A coordinate for an SVG attribute: at most two decimals, invariant culture, no "-0". The charts only pass finite
    /// values; anything else is a bug in the chart code, not in the data.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="value"/> is not finite.</exception>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) throw new InvalidOperationException($"A chart coordinate is not finite: {value}.");
        double rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        if (rounded == 0) rounded = 0;
        return rounded.ToString("0.##", CultureInfo.InvariantCulture);
    }
}
