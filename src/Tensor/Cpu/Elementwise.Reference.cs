namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The vectorised elementwise kernels as plain loops, one element at a time, that the fast paths are checked
/// against: the activation derivatives, LeakyReLU and the accumulating division.
/// </summary>
public static class ElementwiseReference
{
    /// <summary>y = x for x &gt; 0, slope·x otherwise.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float slope)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    /// <summary>
    /// dx += f'(x)·dy given x and y = f(x); <paramref name="parameter"/> is the LeakyReLU slope. GELU's derivative
    /// Φ(x) + x·φ(x) is evaluated in double.
    /// </summary>
    public static void UnaryBackward(UnaryOp op, Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, float parameter)
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] += op switch
            {
                UnaryOp.Relu => x[i] > 0f ? dy[i] : 0f,
                UnaryOp.LeakyRelu => x[i] > 0f ? dy[i] : parameter * dy[i],
                UnaryOp.Tanh => dy[i] * (1f - y[i] * y[i]),
                UnaryOp.Sigmoid => dy[i] * y[i] * (1f - y[i]),
                UnaryOp.Gelu => (float)(dy[i] * (SpecialFunctions.NormalCdf(x[i]) + x[i] * SpecialFunctions.NormalPdf(x[i]))),
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op."),
            };
        }
    }

    /// <summary>y += a / b elementwise (same lengths).</summary>
    public static void DivideAccumulate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a[i] / b[i];
    }
}
