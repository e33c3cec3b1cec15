namespace TinyKd.Distill.Reports;

/// <summary>One labelled point of a scatter chart.</summary>
/// <param name="Label">Text written beside the point.</param>
/// <param name="Group">The legend entry the point belongs to; points of a group share a colour.</param>
/// <param name="X">Horizontal value (&gt; 0 on a logarithmic axis).</param>
/// <param name="Y">Vertical value.</param>
/// <param name="YError">Half-length of the vertical error bar (y ± error); 0 or less draws none.</param>
public sealed record ChartPoint(string Label, string Group, double X, double Y, double YError);
