namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Optimizer updates, one pass over parameter, gradient and state. The arithmetic follows PyTorch's reference
/// (single-tensor, non-foreach) implementations operation for operation, so results agree to rounding.
/// </summary>
internal static class OptimizerKernels
{
    // PyTorch 1.13 Adam: bias corrections in double; step_size = lr/bc1; denom = √v/√bc2 + ε; p −= step_size·m/denom.
    internal static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, AdamStep s)
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

    // PyTorch SGD: d = g + wd·p; buf = d (first step) or μ·buf + (1−τ)·d; d = d + μ·buf (Nesterov) or buf; p −= lr·d.
    internal static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> buf, SgdStep s)
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
}
