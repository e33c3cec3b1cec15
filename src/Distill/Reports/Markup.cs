using System.Globalization;
using System.Text;

namespace TinyKd.Distill.Reports;

/// <summary>Escaping and number formatting shared by the HTML page and its SVG charts.</summary>
public static class Markup
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

    // The look every report page shares; a page adds its own rules after these.
    private const string BaseStyle = """
        body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
        dl.summary { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
        dl.summary dt { font-weight: bold; } dl.summary dd { margin: 0; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
        th { background: #f3f3f3; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1em 0; } svg { max-width: 100%; height: auto; }
        """;

    /// <summary>
    /// The common start of every report page up to and including its &lt;h1&gt;: a UTF-8 HTML5 head whose
    /// Content-Security-Policy allows inline style only (no script, no external resource), the title, and the inline
    /// CSS: the shared rules, then <paramref name="style"/> (the page's own).
    /// </summary>
    public static void PageStart(StringBuilder html, string title, string style)
    {
        style = BaseStyle + "\n" + style;
        string escaped = Escape(title);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append($"<title>{escaped}</title>\n<style>\n{style}\n</style>\n</head>\n<body>\n<h1>{escaped}</h1>\n");
    }
}
