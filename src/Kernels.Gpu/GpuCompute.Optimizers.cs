using ILGPU;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void AdamUpdate(Tensor parameter, Tensor gradient, Tensor m, Tensor v, AdamStep step)
    {
        ArrayView<float> p = View(parameter, nameof(parameter)), g = View(gradient, nameof(gradient));
        ArrayView<float> mv = View(m, nameof(m)), vv = View(v, nameof(v));
        ComputeChecks.SameLength(parameter, nameof(parameter), gradient, nameof(gradient));
        ComputeChecks.SameLength(parameter, nameof(parameter), m, nameof(m));
        ComputeChecks.SameLength(parameter, nameof(parameter), v, nameof(v));
        if (parameter.Length == 0) return;
        // The scalars of Cpu/OptimizerReference.Adam: bias corrections in double, then rounded once.
        double bc1 = 1.0 - Math.Pow(step.Beta1, step.Step), bc2 = 1.0 - Math.Pow(step.Beta2, step.Step);
        var scalars = new AdamScalars(step.Beta1, step.Beta2, step.Epsilon, step.WeightDecay,
            !step.Decoupled && step.WeightDecay != 0f ? 1 : 0, step.Decoupled ? 1f - step.LearningRate * step.WeightDecay : 1f,
            (float)(step.LearningRate / bc1), (float)Math.Sqrt(bc2));
        _kernels.Adam(parameter.Length, p, g, mv, vv, scalars);
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
