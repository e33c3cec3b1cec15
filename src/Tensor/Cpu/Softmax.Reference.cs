namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The plain row softmax every faster path is checked against: same contract as the CPU backend's
/// <see cref="ICompute.Softmax"/> and <see cref="ICompute.SoftmaxBackward"/>, one element at a time in double.
/// </summary>
public static class SoftmaxReference
{
    /// <summary>y = softmax(x/T), or log-softmax, of every row of <paramref name="columns"/> elements.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int columns, float temperature, bool log)
    {
        for (int r = 0; r < x.Length; r += columns)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < columns; c++) max = Math.Max(max, x[r + c]);
            double sum = 0;
            for (int c = 0; c < columns; c++) sum += Math.Exp((x[r + c] - max) / temperature);
            for (int c = 0; c < columns; c++)
            {
                double z = (x[r + c] - max) / temperature;
                y[r + c] = (float)(log ? z - Math.Log(sum) : Math.Exp(z) / sum);
            }
        }
    }

    /// <summary>
    /// dx += the backward of <see cref="Forward"/> from its output y and the output gradient dy:
    /// s ∘ (dy − ⟨dy, s⟩)/T for softmax, (dy − e^y·Σdy)/T for log-softmax.
    /// </summary>
    public static void Backward(Span<float> dx, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int columns, float temperature, bool log)
    {
        for (int r = 0; r < y.Length; r += columns)
        {
            double reduced = 0;
            for (int c = 0; c < columns; c++) reduced += log ? dy[r + c] : (double)dy[r + c] * y[r + c];
            for (int c = 0; c < columns; c++)
            {
                double g = dy[r + c];
                double d = log ? g - Math.Exp(y[r + c]) * reduced : y[r + c] * (g - reduced);
                dx[r + c] = (float)(dx[r + c] + d / temperature);
            }
        }
    }
}
