namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The plain triple-loop GEMM every faster path is checked against: same contract as <see cref="Gemm.Run"/>,
/// accumulating each dot product in double.
/// </summary>
public static class GemmReference
{
    /// <summary>C = α·op(A)·op(B) + β·C + bias, then ReLU when asked. op(A) is M×K, op(B) is K×N, C is M×N.</summary>
    public static void Run(int m, int n, int k, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        Span<float> c, float alpha, float beta, ReadOnlySpan<float> bias, bool relu)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float aip = transposeA ? a[p * m + i] : a[i * k + p];
                    float bpj = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += (double)aip * bpj;
                }
                double value = alpha * sum + (beta == 0f ? 0.0 : (double)beta * c[i * n + j]);
                if (!bias.IsEmpty) value += bias[j];
                if (relu && value < 0) value = 0;
                c[i * n + j] = (float)value;
            }
        }
    }
}
