using ILGPU;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void AdamUpdate(Tensor parameter, Tensor gradient, Tensor m, Tensor v, AdamStep step)
    {
        AdamSlot views = AdamViews(new AdamTensors(parameter, gradient, m, v));
        if (parameter.Length > 0) _kernels.Adam(parameter.Length, views.P, views.G, views.M, views.V, Scalars(step));
    }

    /// <summary>
    /// As <see cref="ICompute.AdamUpdate(ReadOnlySpan{AdamTensors}, AdamStep)"/>: one launch per
    /// <see cref="AdamGroup.Capacity"/> parameters, each thread one element of their concatenation. Every entry is
    /// checked before the first launch, so a bad one leaves all parameters as they were.
    /// </summary>
    public void AdamUpdate(ReadOnlySpan<AdamTensors> tensors, AdamStep step)
    {
        foreach (AdamTensors t in tensors) AdamViews(t);
        AdamScalars scalars = Scalars(step);
        var group = default(AdamGroup);
        int slots = 0;
        foreach (AdamTensors t in tensors)
        {
            if (t.Parameter.Length == 0) continue;
            if (slots == AdamGroup.Capacity || (long)group.Length + t.Parameter.Length > int.MaxValue)
            {
                _kernels.AdamMany(group.Length, group, scalars);
                group = default;
                slots = 0;
            }
            group.Set(slots++, AdamViews(t));
        }
        if (slots > 0) _kernels.AdamMany(group.Length, group, scalars);
    }

    // The views of one parameter's Adam tensors, checked to be this backend's and of one length.
    private AdamSlot AdamViews(AdamTensors t)
    {
        var views = new AdamSlot(View(t.Parameter, "parameter"), View(t.Gradient, "gradient"), View(t.M, "m"), View(t.V, "v"));
        ComputeChecks.SameLength(t.Parameter, "parameter", t.Gradient, "gradient");
        ComputeChecks.SameLength(t.Parameter, "parameter", t.M, "m");
        ComputeChecks.SameLength(t.Parameter, "parameter", t.V, "v");
        return views;
    }

    // The scalars of Cpu/OptimizerReference.Adam: bias corrections in double, then rounded once.
    private static AdamScalars Scalars(AdamStep step)
    {
        double bc1 = 1.0 - Math.Pow(step.Beta1, step.Step), bc2 = 1.0 - Math.Pow(step.Beta2, step.Step);
        return new AdamScalars(step.Beta1, step.Beta2, step.Epsilon, step.WeightDecay,
            !step.Decoupled && step.WeightDecay != 0f ? 1 : 0, step.Decoupled ? 1f - step.LearningRate * step.WeightDecay : 1f,
            (float)(step.LearningRate / bc1), (float)Math.Sqrt(bc2));
    }

    /// <inheritdoc />
    public void SgdUpdate(Tensor parameter, Tensor gradient, Tensor momentumBuffer, SgdStep step)
    {
        ArrayView<float> p = View(parameter, nameof(parameter)), g = View(gradient, nameof(gradient));
        ComputeChecks.SameLength(parameter, nameof(parameter), gradient, nameof(gradient));
        ArrayView<float> buffer = p;
        if (step.Momentum != 0f)
        {
            buffer = View(momentumBuffer, nameof(momentumBuffer));
            ComputeChecks.SameLength(parameter, nameof(parameter), momentumBuffer, nameof(momentumBuffer));
        }
        if (parameter.Length == 0) return;
        var scalars = new SgdScalars(step.LearningRate, step.Momentum, step.Dampening, step.Nesterov ? 1 : 0, step.WeightDecay,
            step.FirstStep ? 1 : 0);
        _kernels.Sgd(parameter.Length, p, g, buffer, scalars);
    }
}
