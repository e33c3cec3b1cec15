using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// One thread per element: copies, fills, the activations and their derivatives, the broadcasting binary ops and
/// the level-1 updates. Each is the per-element body of the CPU backend's loop (Cpu/Elementwise.Reference.cs).
/// </summary>
internal static class ElementwiseKernels
{
    // The UnaryOp values as ints (kernels take unmanaged arguments; the enum is passed as its number).
    internal const int Relu = 0, LeakyRelu = 1, Tanh = 2, Sigmoid = 3, Gelu = 4;
    internal const int Add = 0, Subtract = 1, Multiply = 2, Divide = 3;

    public static void Fill(Index1D i, ArrayView<float> y, float value) => y[i] = value;

    public static void Copy(Index1D i, ArrayView<float> y, ArrayView<float> x, int accumulate) =>
        y[i] = accumulate != 0 ? y[i] + x[i] : x[i];

    public static void Unary(Index1D i, ArrayView<float> y, ArrayView<float> x, int op, float slope)
    {
        float v = x[i];
        y[i] = op switch
        {
            Relu => v > 0f ? v : 0f,
            LeakyRelu => v > 0f ? v : slope * v,
            Tanh => XMath.Tanh(v),
            Sigmoid => 1f / (1f + XMath.Exp(-v)),
            _ => v * NormalCdf(v),
        };
    }

    // dx += f'(x)·dy (dx = f'(x)·dy when accumulate is 0), with f' from y where that is cheaper (tanh, sigmoid), as the CPU does.
    public static void UnaryBackward(Index1D i, ArrayView<float> dx, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy,
        int op, float slope, int accumulate)
    {
        float v = x[i], g = dy[i], o = y[i];
        float gradient = op switch
        {
            Relu => v > 0f ? g : 0f,
            LeakyRelu => v > 0f ? g : slope * g,
            Tanh => g * (1f - o * o),
            Sigmoid => g * o * (1f - o),
            _ => g * (NormalCdf(v) + v * 0.398942280401432678f * XMath.Exp(-0.5f * v * v)),
        };
        dx[i] = accumulate != 0 ? dx[i] + gradient : gradient;
    }

    // Φ(x) = (1 + erf(x/√2))/2 with the erfc of Numerical Recipes (W. J. Cody's fit, fractional error < 1.2e-7), as
    // SpecialFunctions.Erf, in float: erfc z = t·e^(−z² + P(t)), t = 1/(1 + z/2).
    private static float NormalCdf(float x)
    {
        float z = XMath.Abs(x) * 0.707106781186547524f;
        float t = 1f / (1f + 0.5f * z);
        float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
            + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
        float halfErfc = 0.5f * t * XMath.Exp(-z * z + p);
        return x >= 0f ? 1f - halfErfc : halfErfc;
    }

    // y (=|+=) a ∘ b over y's shape; a and b are read at their broadcast coordinates (size-1 dimensions repeat).
    public static void Binary(Index1D i, ArrayView<float> y, ArrayView<float> a, ArrayView<float> b, Dims4 shape, Dims4 aShape,
        Dims4 bShape, int op, int accumulate)
    {
        int r = i, c3 = r % shape.D3;
        r /= shape.D3;
        int c2 = r % shape.D2;
        r /= shape.D2;
        int c1 = r % shape.D1, c0 = r / shape.D1;
        float u = a[aShape.Broadcast(c0, c1, c2, c3)], v = b[bShape.Broadcast(c0, c1, c2, c3)];
        float result = op switch
        {
            Add => u + v,
            Subtract => u - v,
            Multiply => u * v,
            _ => u / v,
        };
        y[i] = accumulate != 0 ? y[i] + result : result;
    }

    // y = α·x + β·y, y's old value ignored when β = 0 (so NaN there does not leak), y + α·x when β = 1.
    public static void Axpby(Index1D i, ArrayView<float> y, ArrayView<float> x, float alpha, float beta) =>
        y[i] = beta == 0f ? alpha * x[i] : beta == 1f ? y[i] + alpha * x[i] : alpha * x[i] + beta * y[i];

    // Multi-tensor scaling, x ← factor·x over the concatenation of the group's tensors (as Axpby with β = 0).
    public static void ScaleMany(Index1D i, TensorGroup group, float factor)
    {
        int slot = group.SlotOf(i, out int start);
        ArrayView<float> x = group[slot].P;
        x[i - start] = factor * x[i - start];
    }

    // y += (factor·scale[0]/divisor)·x with scale read where it lives, the coefficient rounded in that order (y = … when
    // accumulate is 0, y not read).
    public static void ScaledAdd(Index1D i, ArrayView<float> y, ArrayView<float> x, ArrayView<float> scale, float factor, float divisor, int accumulate)
    {
        float term = factor * scale[0] / divisor * x[i];
        y[i] = accumulate != 0 ? y[i] + term : term;
    }

    // Rng.Hash(seed, stream, i): the SplitMix64 finaliser over a Weyl sequence; the top 24 bits give u in [0, 1).
    public static void DropoutMask(Index1D i, ArrayView<float> mask, float p, float keep, ulong seed, ulong stream)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (stream + 1) + 0xD1B54A32D192ED03UL * (ulong)(long)i.X;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        float u = (int)(z >> 40) * (1f / (1 << 24));
        mask[i] = u < p ? 0f : keep;
    }
}
