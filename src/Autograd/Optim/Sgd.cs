using TinyKd.Tensors;

namespace TinyKd.Autograd.Optim;

/// <summary>Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay (PyTorch's SGD).</summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor[] _momentum;
    private readonly SgdTensors[] _group; // one multi-tensor update's entries, filled and cleared by UpdateTogether

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentException">Nesterov without momentum, or momentum with dampening, as PyTorch rejects.</exception>
    public Sgd(IEnumerable<Variable> parameters, float learningRate, float momentum = 0f, float dampening = 0f,
        bool nesterov = false, float weightDecay = 0f) : base(parameters, learningRate)
    {
        if (Parameters.FirstOrDefault(p => p.SparseGrad is not null) is { } sparse)
            throw new ArgumentException($"{sparse} has a sparse gradient; SGD here updates dense gradients only. Use Adam (lazy for sparse tables).", nameof(parameters));
        if (momentum < 0f) throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be ≥ 0; got {momentum}.");
        if (weightDecay < 0f) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be ≥ 0; got {weightDecay}.");
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and zero dampening.", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _momentum = momentum == 0f ? [] : Parameters.Select(p => Tensor.Zeros(p.Shape, p.Data.Backend)).ToArray();
        _group = new SgdTensors[Parameters.Count];
    }

    /// <summary>Momentum factor.</summary>
    public float Momentum { get; }

    /// <summary>Dampening of the gradient entering the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 penalty.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Tensor> StateTensors() => _momentum;

    /// <inheritdoc />
    protected override IEnumerable<Tensor> StateOf(int index) => Momentum == 0f ? [] : [_momentum[index]];

    /// <inheritdoc />
    protected override void Update(int index, Variable parameter) =>
        parameter.Data.Backend.SgdUpdate(parameter.Data, parameter.Grad, Momentum == 0f ? default : _momentum[index], CurrentStep);

    /// <summary>
    /// Updates the parameters with one multi-tensor <see cref="ICompute.SgdUpdate(ReadOnlySpan{SgdTensors}, SgdStep)"/>:
    /// the same numbers as one update each, in one launch on a GPU.
    /// </summary>
    protected override void UpdateTogether(ICompute backend, ReadOnlySpan<int> indices)
    {
        Span<SgdTensors> group = _group.AsSpan(0, indices.Length);
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            group[k] = new SgdTensors(Parameters[i].Data, Parameters[i].Grad, Momentum == 0f ? default : _momentum[i]);
        }
        backend.SgdUpdate(group, CurrentStep);
        group.Clear();
    }

    private SgdStep CurrentStep => new(LearningRate, Momentum, Dampening, Nesterov, WeightDecay, StepCount == 1);
}
