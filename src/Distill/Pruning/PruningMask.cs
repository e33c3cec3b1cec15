using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pruning;

/// <summary>
/// The masks of a pruned dense <see cref="Mlp"/>: one 0/1 tensor per pruned <see cref="Linear"/> weight (1 = kept),
/// of the weight's shape. The weights stay dense during fine-tuning; <see cref="Attach"/> makes an optimizer keep
/// every pruned weight, its gradient and its moments at exactly zero.
/// </summary>
public sealed class PruningMask
{
    private readonly Linear[] _layers;
    private readonly Tensor[] _masks;

    /// <summary>All-ones masks (nothing pruned yet) over the prunable layers of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model holds a layer that is not a dense <see cref="Linear"/>.</exception>
    public PruningMask(Mlp model, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<Layer> affine = model.AffineLayers;
        if (affine.FirstOrDefault(l => l is not Linear) is { } compressed)
            throw new ArgumentException($"MLP {model.Spec} holds a {compressed.GetType().Name}; only a dense model (Linear layers) can be pruned.", nameof(model));
        int count = options.PruneOutputLayer || affine.Count == 1 ? affine.Count : affine.Count - 1;
        _layers = [.. affine.Take(count).Cast<Linear>()];
        _masks = [.. _layers.Select(l => Ones(l.Weight.Shape))];
        Model = model;
        Options = options;
    }

    /// <summary>The model the masks belong to.</summary>
    public Mlp Model { get; }

    /// <summary>How the model is pruned.</summary>
    public PruningOptions Options { get; }

    /// <summary>The pruned layers, input to output.</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>The mask of pruned layer <paramref name="index"/>, [Out, In], 1 = kept, 0 = pruned.</summary>
    public Tensor this[int index] => _masks[index];

    /// <summary>The fraction of the pruned layers' weights that the masks remove.</summary>
    public double Sparsity
    {
        get
        {
            long zeros = 0, total = 0;
            for (int i = 0; i < _masks.Length; i++) (zeros, total) = (zeros + Zeros(i), total + _masks[i].Length);
            return total == 0 ? 0 : (double)zeros / total;
        }
    }

    /// <summary>The fraction of layer <paramref name="index"/>'s weights that its mask removes.</summary>
    public double LayerSparsity(int index) => (double)Zeros(index) / _masks[index].Length;

    /// <summary>Multiplies every pruned layer's weight by its mask (pruned weights become 0).</summary>
    public void Apply()
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            Tensor w = _layers[i].Weight.Data;
            w.Backend.Binary(BinaryOp.Multiply, w, w, _masks[i]);
        }
    }

    /// <summary>Makes <paramref name="optimizer"/> keep the pruned weights at zero (see <see cref="Optimizer.SetMask"/>).</summary>
    /// <exception cref="ArgumentException">The optimizer does not update these layers.</exception>
    public void Attach(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        for (int i = 0; i < _layers.Length; i++) optimizer.SetMask(_layers[i].Weight, _masks[i]);
    }

    private static Tensor Ones(Shape shape)
    {
        Tensor t = Tensor.Zeros(shape);
        t.Span.Fill(1f);
        return t;
    }

    private long Zeros(int index)
    {
        long zeros = 0;
        foreach (float m in _masks[index].Span) if (m == 0f) zeros++;
        return zeros;
    }
}
