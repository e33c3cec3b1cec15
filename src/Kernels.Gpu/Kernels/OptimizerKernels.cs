using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// The fused optimizer updates, one thread per element, written operation for operation as
/// Cpu/OptimizerReference.cs (PyTorch's single-tensor Adam/AdamW and SGD); the step's scalars (bias corrections in
/// double) are computed once on the host.
/// </summary>
internal static class OptimizerKernels
{
    public static void Adam(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamScalars s) =>
        AdamElement(i, p, g, m, v, s);

    // Multi-tensor Adam: thread i updates element i of the concatenation of the group's tensors. It finds its tensor
    // by the group's running ends (at most TensorGroup.Capacity comparisons) and updates that element exactly as Adam.
    public static void AdamMany(Index1D i, TensorGroup group, AdamScalars s)
    {
        int slot = group.SlotOf(i, out int start);
        GroupSlot t = group[slot];
        AdamElement(i - start, t.P, t.G, t.S1, t.S2, s);
    }

    private static void AdamElement(int i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamScalars s)
    {
        float gi = s.L2 != 0 ? g[i] + s.WeightDecay * p[i] : g[i];
        float pi = p[i] * s.Decay;
        float mi = m[i] * s.Beta1 + (1f - s.Beta1) * gi;
        float vi = v[i] * s.Beta2 + (1f - s.Beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float denom = XMath.Sqrt(vi) / s.Bc2Sqrt + s.Epsilon;
        p[i] = pi - s.StepSize * (mi / denom);
    }

    public static void Sgd(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> buffer, SgdScalars s) =>
        SgdElement(i, p, g, buffer, s);

    // Multi-tensor SGD, as AdamMany: S1 is the momentum buffer (the parameter itself when there is no momentum).
    public static void SgdMany(Index1D i, TensorGroup group, SgdScalars s)
    {
        int slot = group.SlotOf(i, out int start);
        GroupSlot t = group[slot];
        SgdElement(i - start, t.P, t.G, t.S1, s);
    }

    private static void SgdElement(int i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> buffer, SgdScalars s)
    {
        float d = s.WeightDecay != 0f ? g[i] + s.WeightDecay * p[i] : g[i];
        if (s.Momentum != 0f)
        {
            float b = s.FirstStep != 0 ? d : s.Momentum * buffer[i] + (1f - s.Dampening) * d;
            buffer[i] = b;
            d = s.Nesterov != 0 ? d + s.Momentum * b : b;
        }
        p[i] -= s.LearningRate * d;
    }
}

/// <summary>The per-step scalars of <see cref="OptimizerKernels.Adam"/>: step size lr/bc1, √bc2, the AdamW decay 1 − lr·wd.</summary>
internal readonly record struct AdamScalars(float Beta1, float Beta2, float Epsilon, float WeightDecay, int L2, float Decay,
    float StepSize, float Bc2Sqrt);

/// <summary>The scalars of <see cref="OptimizerKernels.Sgd"/> (flags as ints).</summary>
internal readonly record struct SgdScalars(float LearningRate, float Momentum, float Dampening, int Nesterov, float WeightDecay, int FirstStep);
