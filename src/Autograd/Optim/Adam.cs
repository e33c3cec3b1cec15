using TinyKd.Tensors;

namespace TinyKd.Autograd.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) with bias correction; weight decay is an L2 term added to the gradient, as in PyTorch's
/// <c>Adam</c>. <see cref="AdamW"/> decouples it instead.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly bool _decoupled;
    private readonly AdamTensors[] _group; // one multi-tensor update's entries, filled and cleared by UpdateTogether

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    public Adam(IEnumerable<Variable> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f) : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, false)
    {
    }

    /// <summary>Creates the optimizer, with the weight decay coupled (Adam) or decoupled (AdamW).</summary>
    protected Adam(IEnumerable<Variable> parameters, float learningRate, float beta1, float beta2, float epsilon,
        float weightDecay, bool decoupled) : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), $"beta1 must be in [0, 1); got {beta1}.");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), $"beta2 must be in [0, 1); got {beta2}.");
        if (!(epsilon >= 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"epsilon must be ≥ 0; got {epsilon}.");
        if (!(weightDecay >= 0f)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be ≥ 0; got {weightDecay}.");
        if (weightDecay != 0f && Parameters.FirstOrDefault(p => p.SparseGrad is not null) is { } sparse)
            throw new ArgumentException(
                $"{sparse} has a sparse gradient, and lazy Adam has no weight decay (nor has PyTorch's SparseAdam); give the sparse tables their own optimizer without decay.", nameof(parameters));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
        _m = Parameters.Select(p => Tensor.Zeros(p.Shape, p.Data.Backend)).ToArray();
        _v = Parameters.Select(p => Tensor.Zeros(p.Shape, p.Data.Backend)).ToArray();
        _group = new AdamTensors[Parameters.Count];
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to √v̂.</summary>
    public float Epsilon { get; }

    /// <summary>Weight decay (L2 for Adam, decoupled for AdamW).</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Tensor> StateTensors() => [.. _m, .. _v];

    /// <inheritdoc />
    protected override IEnumerable<Tensor> StateOf(int index) => [_m[index], _v[index]];

    /// <summary>
    /// Updates one parameter. A table with a sparse gradient gets lazy Adam (PyTorch's <c>SparseAdam</c>): only the
    /// rows this step touched move, with their moments, and bias correction counts the optimizer's steps.
    /// </summary>
    protected override void Update(int index, Variable parameter)
    {
        if (parameter.SparseGrad is { } sparse)
            parameter.Data.Backend.SparseAdamUpdate(parameter.Data, sparse.RowTensor, sparse.Values, _m[index], _v[index], CurrentStep);
        else
            parameter.Data.Backend.AdamUpdate(parameter.Data, parameter.Grad, _m[index], _v[index], CurrentStep);
    }

    /// <summary>
    /// Updates the parameters with one multi-tensor <see cref="ICompute.AdamUpdate(ReadOnlySpan{AdamTensors}, AdamStep)"/>:
    /// the same numbers as one update each, in one launch on a GPU.
    /// </summary>
    protected override void UpdateTogether(ICompute backend, ReadOnlySpan<int> indices)
    {
        Span<AdamTensors> group = _group.AsSpan(0, indices.Length);
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            group[k] = new AdamTensors(Parameters[i].Data, Parameters[i].Grad, _m[i], _v[i]);
        }
        backend.AdamUpdate(group, CurrentStep);
        group.Clear();
    }

    private AdamStep CurrentStep => new(LearningRate, Beta1, Beta2, Epsilon, WeightDecay, _decoupled, StepCount);
}

/// <summary>AdamW (Loshchilov &amp; Hutter): Adam with weight decay applied to the weights, not the gradient.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer with PyTorch's defaults (weight decay 0.01).</summary>
    public AdamW(IEnumerable<Variable> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 1e-2f) : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, true)
    {
    }
}
