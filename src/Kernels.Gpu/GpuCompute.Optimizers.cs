using ILGPU;
using ILGPU.Runtime;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

public sealed partial class GpuCompute
{
    private GroupSlot[] _slots = new GroupSlot[TensorGroup.Capacity]; // one multi-tensor call's views, checked before any launch

    /// <inheritdoc />
    public void AdamUpdate(Tensor parameter, Tensor gradient, Tensor m, Tensor v, AdamStep step)
    {
        GroupSlot views = AdamViews(new AdamTensors(parameter, gradient, m, v));
        if (parameter.Length > 0) _kernels.Adam(parameter.Length, views.P, views.G, views.S1, views.S2, Scalars(step));
    }

    /// <summary>
    /// As <see cref="ICompute.AdamUpdate(ReadOnlySpan{AdamTensors}, AdamStep)"/>: one launch per
    /// <see cref="TensorGroup.Capacity"/> parameters, each thread one element of their concatenation. Every entry is
    /// checked before the first launch, so a bad one leaves all parameters as they were.
    /// </summary>
    public void AdamUpdate(ReadOnlySpan<AdamTensors> tensors, AdamStep step)
    {
        Span<GroupSlot> slots = Slots(tensors.Length);
        for (int k = 0; k < tensors.Length; k++) slots[k] = AdamViews(tensors[k]);
        LaunchGroups(slots, Scalars(step), static (kernels, group, scalars) => kernels.AdamMany(group.Length, group, scalars));
    }

    /// <inheritdoc />
    public void SgdUpdate(Tensor parameter, Tensor gradient, Tensor momentumBuffer, SgdStep step)
    {
        GroupSlot views = SgdViews(new SgdTensors(parameter, gradient, momentumBuffer), step);
        if (parameter.Length > 0) _kernels.Sgd(parameter.Length, views.P, views.G, views.S1, Scalars(step));
    }

    /// <summary>
    /// As <see cref="ICompute.SgdUpdate(ReadOnlySpan{SgdTensors}, SgdStep)"/>: one launch per
    /// <see cref="TensorGroup.Capacity"/> parameters; every entry is checked before the first launch.
    /// </summary>
    public void SgdUpdate(ReadOnlySpan<SgdTensors> tensors, SgdStep step)
    {
        Span<GroupSlot> slots = Slots(tensors.Length);
        for (int k = 0; k < tensors.Length; k++) slots[k] = SgdViews(tensors[k], step);
        LaunchGroups(slots, Scalars(step), static (kernels, group, scalars) => kernels.SgdMany(group.Length, group, scalars));
    }

    /// <summary>
    /// As <see cref="ICompute.SumsOfSquares"/>: one launch per <see cref="TensorGroup.Capacity"/> tensors, a group per
    /// tensor reducing it exactly as <see cref="SumOfSquares"/> does.
    /// </summary>
    public void SumsOfSquares(ReadOnlySpan<Tensor> tensors, Tensor results, float scale)
    {
        ArrayView<float> r = View(results, nameof(results));
        if (results.Length != tensors.Length)
            throw new ArgumentException($"{tensors.Length} tensors need {tensors.Length} results; got shape {results.Shape}.", nameof(results));
        Span<GroupSlot> slots = Slots(tensors.Length);
        for (int k = 0; k < tensors.Length; k++) slots[k] = new GroupSlot(View(tensors[k], "tensors"), default, default, default);
        var shared = SharedMemoryConfig.RequestDynamic<float>(Math.Max(1, _groupSize / _accelerator.WarpSize));
        for (int start = 0; start < tensors.Length; start += TensorGroup.Capacity)
        {
            int count = Math.Min(TensorGroup.Capacity, tensors.Length - start);
            var group = default(TensorGroup);
            for (int j = 0; j < count; j++) group.Set(j, slots[start + j]);
            _kernels.SumsOfSquaresMany(new KernelConfig(count, _groupSize, shared), group, r.SubView(start, count), scale);
        }
        slots.Clear();
    }

    /// <summary>As <see cref="ICompute.ScaleAll"/>: one launch per <see cref="TensorGroup.Capacity"/> tensors.</summary>
    public void ScaleAll(ReadOnlySpan<Tensor> tensors, float factor)
    {
        Span<GroupSlot> slots = Slots(tensors.Length);
        for (int k = 0; k < tensors.Length; k++) slots[k] = new GroupSlot(View(tensors[k], "tensors"), default, default, default);
        LaunchGroups(slots, factor, static (kernels, group, f) => kernels.ScaleMany(group.Length, group, f));
    }

    // The views of one parameter's Adam tensors, checked to be this backend's and of one length.
    private GroupSlot AdamViews(AdamTensors t)
    {
        var views = new GroupSlot(View(t.Parameter, "parameter"), View(t.Gradient, "gradient"), View(t.M, "m"), View(t.V, "v"));
        ComputeChecks.SameLength(t.Parameter, "parameter", t.Gradient, "gradient");
        ComputeChecks.SameLength(t.Parameter, "parameter", t.M, "m");
        ComputeChecks.SameLength(t.Parameter, "parameter", t.V, "v");
        return views;
    }

    // The views of one parameter's SGD tensors; without momentum the buffer slot holds the parameter (never read).
    private GroupSlot SgdViews(SgdTensors t, SgdStep step)
    {
        ArrayView<float> p = View(t.Parameter, "parameter"), g = View(t.Gradient, "gradient"), buffer = p;
        ComputeChecks.SameLength(t.Parameter, "parameter", t.Gradient, "gradient");
        if (step.Momentum != 0f)
        {
            buffer = View(t.MomentumBuffer, "momentumBuffer");
            ComputeChecks.SameLength(t.Parameter, "parameter", t.MomentumBuffer, "momentumBuffer");
        }
        return new GroupSlot(p, g, buffer, default);
    }

    private Span<GroupSlot> Slots(int count)
    {
        if (_slots.Length < count) _slots = new GroupSlot[count];
        return _slots.AsSpan(0, count);
    }

    // Launches the non-empty slots in groups of TensorGroup.Capacity (fewer when their elements would pass int.MaxValue),
    // then drops the views.
    private void LaunchGroups<TScalars>(Span<GroupSlot> slots, TScalars scalars, Action<GpuKernels, TensorGroup, TScalars> launch)
    {
        var group = default(TensorGroup);
        int used = 0;
        foreach (GroupSlot slot in slots)
        {
            if (slot.P.Length == 0) continue;
            if (used == TensorGroup.Capacity || group.Length + slot.P.Length > int.MaxValue)
            {
                launch(_kernels, group, scalars);
                group = default;
                used = 0;
            }
            group.Set(used++, slot);
        }
        if (used > 0) launch(_kernels, group, scalars);
        slots.Clear();
    }

    // The scalars of Cpu/OptimizerReference.Adam: bias corrections in double, then rounded once.
    private static AdamScalars Scalars(AdamStep step)
    {
        double bc1 = 1.0 - Math.Pow(step.Beta1, step.Step), bc2 = 1.0 - Math.Pow(step.Beta2, step.Step);
        return new AdamScalars(step.Beta1, step.Beta2, step.Epsilon, step.WeightDecay,
            !step.Decoupled && step.WeightDecay != 0f ? 1 : 0, step.Decoupled ? 1f - step.LearningRate * step.WeightDecay : 1f,
            (float)(step.LearningRate / bc1), (float)Math.Sqrt(bc2));
    }

    private static SgdScalars Scalars(SgdStep step) =>
        new(step.LearningRate, step.Momentum, step.Dampening, step.Nesterov ? 1 : 0, step.WeightDecay, step.FirstStep ? 1 : 0);
}
