namespace TinyKd.Tensors;

/// <summary>Scalar functions that .NET's math library lacks.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// The error function, in double precision from W. J. Cody's rational Chebyshev approximations as summarised
    /// by Numerical Recipes' erfc (fractional error below 1.2e-7), which is ample for float32 GELU.
    /// </summary>
    public static double Erf(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }

    /// <summary>The standard normal CDF Φ(x) = (1 + erf(x/√2))/2.</summary>
    public static double NormalCdf(double x) => 0.5 * (1.0 + Erf(x * 0.70710678118654752));

    /// <summary>The standard normal density φ(x).</summary>
    public static double NormalPdf(double x) => 0.39894228040143268 * Math.Exp(-0.5 * x * x);
}
