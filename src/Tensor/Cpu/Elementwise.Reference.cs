namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The vectorised elementwise kernels as plain loops, one element at a time, that the fast paths are checked
/// against: ReLU, sigmoid, LeakyReLU, the activation derivatives, the broadcasting binary ops and the level-1 updates.
/// </summary>
public static class ElementwiseReference
{
    /// <summary>y = x for x &gt; 0, slope·x otherwise.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float slope)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    /// <summary>
    /// dx += f'(x)·dy given x and y = f(x) (dx = f'(x)·dy when not <paramref name="accumulate"/>); <paramref name="parameter"/>
    /// is the LeakyReLU slope. GELU's derivative Φ(x) + x·φ(x) is evaluated in double.
    /// </summary>
    public static void UnaryBackward(UnaryOp op, Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, float parameter,
        bool accumulate = true)
    {
        for (int i = 0; i < dx.Length; i++)
        {
            float gradient = op switch
            {
                UnaryOp.Relu => x[i] > 0f ? dy[i] : 0f,
                UnaryOp.LeakyRelu => x[i] > 0f ? dy[i] : parameter * dy[i],
                UnaryOp.Tanh => dy[i] * (1f - y[i] * y[i]),
                UnaryOp.Sigmoid => dy[i] * y[i] * (1f - y[i]),
                UnaryOp.Gelu => (float)(dy[i] * (SpecialFunctions.NormalCdf(x[i]) + x[i] * SpecialFunctions.NormalPdf(x[i]))),
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op."),
            };
            dx[i] = accumulate ? dx[i] + gradient : gradient;
        }
    }

    /// <summary>y += a / b elementwise (same lengths).</summary>
    public static void DivideAccumulate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a[i] / b[i];
    }

    /// <summary>y = max(x, 0) (NaN stays NaN).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Max(x[i], 0f);
    }

    /// <summary>y = 1 / (1 + e^−x) with the runtime's <see cref="MathF.Exp"/>.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = 1f / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>
    /// y (=|+=) a ∘ b where a and b are broadcast to y's shape by PyTorch's rule: each element of y reads the
    /// elements of a and b found by <see cref="BroadcastIndex"/>.
    /// </summary>
    public static void Binary(BinaryOp op, ReadOnlySpan<float> a, Shape aShape, ReadOnlySpan<float> b, Shape bShape,
        Span<float> y, Shape yShape, bool accumulate)
    {
        for (int i = 0; i < yShape.Length; i++)
        {
            float u = a[BroadcastIndex(i, yShape, aShape)], v = b[BroadcastIndex(i, yShape, bShape)];
            float r = op switch
            {
                BinaryOp.Add => u + v,
                BinaryOp.Subtract => u - v,
                BinaryOp.Multiply => u * v,
                BinaryOp.Divide => u / v,
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op."),
            };
            y[i] = accumulate ? y[i] + r : r;
        }
    }

    /// <summary>
    /// The flat index, in an operand of shape <paramref name="from"/>, of the element that broadcasting sends to flat
    /// index <paramref name="i"/> of shape <paramref name="to"/>: the coordinates of i, aligned from the last
    /// dimension, with those along the operand's size-1 or missing dimensions set to 0.
    /// </summary>
    public static int BroadcastIndex(int i, Shape to, Shape from)
    {
        int index = 0, stride = 1;
        for (int k = 1; k <= to.Rank; k++)
        {
            int size = to[to.Rank - k], coordinate = i % size;
            i /= size;
            if (k > from.Rank) continue;
            int fromSize = from[from.Rank - k];
            if (fromSize != 1) index += coordinate * stride;
            stride *= fromSize;
        }
        return index;
    }

    /// <summary>y += x.</summary>
    public static void AddTo(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += x[i];
    }

    /// <summary>y = α·x + β·y, y's old value ignored when β = 0.</summary>
    public static void Axpby(ReadOnlySpan<float> x, Span<float> y, float alpha, float beta)
    {
        for (int i = 0; i < x.Length; i++) y[i] = beta == 0f ? alpha * x[i] : beta == 1f ? y[i] + alpha * x[i] : alpha * x[i] + beta * y[i];
    }
}
