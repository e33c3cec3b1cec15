namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The optimizer updates as plain loops, one element at a time: PyTorch's single-tensor (non-foreach) Adam, AdamW
/// and SGD written operation for operation. The vectorised <c>OptimizerKernels</c> perform the same float
/// operations in the same order, so they agree with these bit for bit.
/// </summary>
public static class OptimizerReference
{
    /// <summary>
    /// PyTorch 1.13 Adam/AdamW: bias corrections in double; step_size = lr/bc1; denom = √v/√bc2 + ε;
    /// p −= step_size·m/denom (AdamW first scales p by 1 − lr·wd; Adam adds wd·p to the gradient).
    /// </summary>
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, AdamStep s)
    {
        double bc1 = 1.0 - Math.Pow(s.Beta1, s.Step);
        double bc2 = 1.0 - Math.Pow(s.Beta2, s.Step);
        float stepSize = (float)(s.LearningRate / bc1);
        float bc2Sqrt = (float)Math.Sqrt(bc2);
        float decay = s.Decoupled ? 1f - s.LearningRate * s.WeightDecay : 1f;
        bool l2 = !s.Decoupled && s.WeightDecay != 0f;
        for (int i = 0; i < p.Length; i++)
        {
            float gi = l2 ? g[i] + s.WeightDecay * p[i] : g[i];
            float pi = p[i] * decay;
            m[i] = m[i] * s.Beta1 + (1f - s.Beta1) * gi;
            v[i] = v[i] * s.Beta2 + (1f - s.Beta2) * gi * gi;
            float denom = MathF.Sqrt(v[i]) / bc2Sqrt + s.Epsilon;
            p[i] = pi - stepSize * (m[i] / denom);
        }
    }

    /// <summary>
    /// PyTorch SGD: d = g + wd·p; buf = d (first step) or μ·buf + (1−τ)·d; d = d + μ·buf (Nesterov) or buf;
    /// p −= lr·d. <paramref name="buf"/> is not touched (and may be empty) when the momentum is 0.
    /// </summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> buf, SgdStep s)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float d = s.WeightDecay != 0f ? g[i] + s.WeightDecay * p[i] : g[i];
            if (s.Momentum != 0f)
            {
                buf[i] = s.FirstStep ? d : s.Momentum * buf[i] + (1f - s.Dampening) * d;
                d = s.Nesterov ? d + s.Momentum * buf[i] : buf[i];
            }
            p[i] -= s.LearningRate * d;
        }
    }

    /// <summary>
    /// PyTorch 1.13 SparseAdam on the listed rows of [rows, width] tables, element for element: m += (g − m)(1 − β1),
    /// v += (g² − v)(1 − β2), p += −lr·√bc2/bc1 · m/(√v + ε); row k of <paramref name="g"/> is the gradient of table row
    /// rows[k]. Other rows do not move.
    /// </summary>
    public static void SparseAdam(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> g, Span<float> m, Span<float> v, int width, AdamStep s)
    {
        double bc1 = 1.0 - Math.Pow(s.Beta1, s.Step);
        double bc2 = 1.0 - Math.Pow(s.Beta2, s.Step);
        float negativeStepSize = -(float)(s.LearningRate * Math.Sqrt(bc2) / bc1);
        for (int k = 0; k < rows.Length; k++)
            for (int i = 0; i < width; i++)
            {
                int e = rows[k] * width + i;
                float gi = g[k * width + i];
                m[e] += (gi - m[e]) * (1f - s.Beta1);
                v[e] += (gi * gi - v[e]) * (1f - s.Beta2);
                p[e] += negativeStepSize * (m[e] / (MathF.Sqrt(v[e]) + s.Epsilon));
            }
    }
}
