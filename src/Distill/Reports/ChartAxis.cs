using System.Globalization;

namespace TinyKd.Distill.Reports;

/// <summary>
/// The range and tick values of one chart axis. Linear axes step by 1, 2, 2.5 or 5 times a power of ten (Heckbert,
/// "Nice numbers for graph labels", Graphics Gems 1990) and extend to whole steps; logarithmic axes tick at 1, 2 and 5
/// times powers of ten, or at powers of ten alone when those would be too many. Degenerate input (no finite value,
/// all values equal) still gives a range of positive width, so positions are always finite.
/// </summary>
internal sealed class ChartAxis
{
    private static readonly double[] Mantissas = [1, 2, 5];

    private ChartAxis(double min, double max, IReadOnlyList<double> ticks, bool logarithmic, int decimals)
    {
        Min = min;
        Max = max;
        Ticks = ticks;
        Logarithmic = logarithmic;
        Decimals = decimals;
    }

    /// <summary>Lower end of the axis.</summary>
    public double Min { get; }

    /// <summary>Upper end of the axis (always above <see cref="Min"/>).</summary>
    public double Max { get; }

    /// <summary>Tick values, ascending, within [Min, Max].</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>True when positions follow log10 of the value.</summary>
    public bool Logarithmic { get; }

    /// <summary>Decimals of the linear tick labels.</summary>
    public int Decimals { get; }

    /// <summary>
    /// A linear axis covering [<paramref name="low"/>, <paramref name="high"/>] with about <paramref name="ticks"/>
    /// ticks; <paramref name="integer"/> keeps the step a whole number (epochs).
    /// </summary>
    public static ChartAxis Linear(double low, double high, int ticks = 6, bool integer = false)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high)) (low, high) = (0, 1);
        if (high < low) (low, high) = (high, low);
        if (high - low <= 1e-9 * Math.Max(1, Math.Abs(high)))
        {
            double pad = low == 0 ? 1 : Math.Abs(low) * 0.01;
            if (integer) pad = Math.Max(pad, 1);
            (low, high) = (low - pad, high + pad);
        }
        double step = NiceStep((high - low) / Math.Max(1, ticks - 1), allowQuarter: !integer);
        if (integer) step = Math.Max(1, step);
        double first = Math.Floor(low / step + 1e-9), last = Math.Ceiling(high / step - 1e-9);
        int decimals = DecimalsOf(step);
        var values = new List<double>();
        for (double k = first; k <= last; k++) values.Add(Math.Round(k * step, decimals));
        return new ChartAxis(first * step, last * step, values, logarithmic: false, decimals);
    }

    /// <summary>
    /// A logarithmic axis covering [<paramref name="low"/>, <paramref name="high"/>] (both &gt; 0; otherwise [1, 10]),
    /// padded by a fifth on each side and widened to the nearest 1-2-5 values.
    /// </summary>
    public static ChartAxis Logarithmic10(double low, double high)
    {
        if (!(low > 0) || !(high > 0) || !double.IsFinite(low) || !double.IsFinite(high)) (low, high) = (1, 10);
        if (high < low) (low, high) = (high, low);
        double min = Below(low / 1.2), max = Above(high * 1.2);
        var ticks = new List<double>();
        for (int e = (int)Math.Floor(Math.Log10(min)); e <= (int)Math.Ceiling(Math.Log10(max)); e++)
        {
            foreach (double m in Mantissas)
            {
                double v = m * Math.Pow(10, e);
                if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.Add(v);
            }
        }
        if (ticks.Count > 8)
        {
            var powers = ticks.Where(t => Math.Abs(Math.Log10(t) - Math.Round(Math.Log10(t))) < 1e-9).ToList();
            int stride = (powers.Count + 7) / 8;
            ticks = powers.Where((_, i) => i % stride == 0).ToList();
        }
        return new ChartAxis(min, max, ticks, logarithmic: true, decimals: 0);
    }

    /// <summary>Where <paramref name="value"/> lies along the axis: 0 at <see cref="Min"/>, 1 at <see cref="Max"/>.</summary>
    public double Fraction(double value) => Logarithmic
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    /// <summary>
    /// The label of a tick: fixed decimals on a linear axis; on a logarithmic axis, SI prefixes ("500", "20k", "1.5M").
    /// </summary>
    public string Label(double tick)
    {
        if (!Logarithmic)
        {
            double rounded = Math.Round(tick, Decimals);
            return (rounded == 0 ? 0 : rounded).ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
        (double scale, string suffix) = Math.Abs(tick) switch
        {
            >= 1e9 => (1e9, "G"),
            >= 1e6 => (1e6, "M"),
            >= 1e3 => (1e3, "k"),
            _ => (1.0, ""),
        };
        return (tick / scale).ToString("0.###", CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>The 1, 2, (2.5,) 5 × 10^k step nearest to <paramref name="raw"/>, as Heckbert rounds it.</summary>
    private static double NiceStep(double raw, bool allowQuarter)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / power;
        double nice = f < 1.5 ? 1 : f < (allowQuarter ? 2.25 : 3) ? 2 : f < 3 ? 2.5 : f < 7 ? 5 : 10;
        return nice * power;
    }

    private static int DecimalsOf(double step)
    {
        for (int d = 0; d < 10; d++)
        {
            double scaled = step * Math.Pow(10, d);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * Math.Max(1, scaled)) return d;
        }
        return 10;
    }

    /// <summary>The largest 1-2-5 value at most <paramref name="v"/>.</summary>
    private static double Below(double v)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(v)));
        for (int i = Mantissas.Length - 1; i >= 0; i--)
            if (Mantissas[i] * power <= v * (1 + 1e-9)) return Mantissas[i] * power;
        return power;
    }

    /// <summary>The smallest 1-2-5 value at least <paramref name="v"/>.</summary>
    private static double Above(double v)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in Mantissas)
            if (m * power >= v * (1 - 1e-9)) return m * power;
        return 10 * power;
    }
}
