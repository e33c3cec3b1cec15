namespace TinyKd.Tensors.Cpu;

/// <summary>The plain int8 product every path must equal bit for bit, on unpacked weights.</summary>
internal static class Int8GemmReference
{
    /// <summary>
    /// C[i, j] = Σ_k (a[i·aStride + k] − zeroPoint)·q[j·K + k] for i &lt; M, j &lt; N, k &lt; K (q is [N, K] row-major).
    /// </summary>
    public static void Run(int m, int n, int k, ReadOnlySpan<byte> a, int aStride, int zeroPoint, ReadOnlySpan<sbyte> q, Span<int> c)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                int sum = 0;
                for (int kk = 0; kk < k; kk++) sum += (a[i * aStride + kk] - zeroPoint) * q[j * k + kk];
                c[i * n + j] = sum;
            }
    }

    /// <summary>y[i, j] = ((float)C[i, j]·(scaleA·scaleW[j]) + bias[j]), then max(·, 0) when <paramref name="relu"/>.</summary>
    public static void Epilogue(int m, int n, ReadOnlySpan<int> c, float scaleA, ReadOnlySpan<float> scaleW, ReadOnlySpan<float> bias, bool relu, Span<float> y)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float v = c[i * n + j] * (scaleA * scaleW[j]);
                if (!bias.IsEmpty) v += bias[j];
                y[i * n + j] = relu ? Math.Max(v, 0f) : v;
            }
    }

    /// <summary>
    /// q[i·qStride + j] = <see cref="Code"/>((float)C[i, j]·(scaleA·scaleW[j]) + bias[j]): the requantizing epilogue,
    /// y of <see cref="Epilogue"/> as the next layer's u8 code (ReLU as the clamp at the zero point).
    /// </summary>
    public static void Requantize(int m, int n, ReadOnlySpan<int> c, float scaleA, ReadOnlySpan<float> scaleW, ReadOnlySpan<float> bias, bool relu,
        ActivationQuantization output, Span<byte> q, int qStride)
    {
        float inverse = 1f / output.Scale;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float v = c[i * n + j] * (scaleA * scaleW[j]);
                if (!bias.IsEmpty) v += bias[j];
                q[i * qStride + j] = Code(v, inverse, output.ZeroPoint, relu);
            }
    }

    /// <summary>
    /// The u8 code of v: clamp(round(v·inverse) + zero, relu ? zero : 0, 255), rounding to nearest even (MathF.Round,
    /// as cvtps2dq) — the quantizer of Int8Activations applied to max(v, 0) when <paramref name="relu"/>.
    /// </summary>
    public static byte Code(float v, float inverse, float zero, bool relu) =>
        (byte)Math.Clamp(MathF.Round(v * inverse) + zero, relu ? zero : 0f, 255f);
}
