using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// y = x·Wᵀ + b. x: [B, In] → y: [B, Out]. Initialised like PyTorch's <c>nn.Linear</c>: W and b uniform in
/// ±1/√In (Kaiming-uniform with a = √5 reduces to that bound).
/// </summary>
public sealed class Linear : Layer, IAffineLayer
{
    /// <summary>Creates the layer, drawing its initial weights from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentNullException.ThrowIfNull(rng);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        float bound = 1f / MathF.Sqrt(inFeatures);
        var w = Tensor.Zeros(outFeatures, inFeatures);
        rng.FillUniform(w.Span, -bound, bound);
        Weight = Variable.Parameter(w, "weight");
        if (bias)
        {
            var b = Tensor.Zeros(outFeatures);
            rng.FillUniform(b.Span, -bound, bound);
            Bias = Variable.Parameter(b, "bias");
        }
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, [Out, In].</summary>
    public Variable Weight { get; }

    /// <summary>The bias, [Out], or null.</summary>
    public Variable? Bias { get; }

    /// <inheritdoc />
    public long StoredParameters => Weight.Data.Length + (Bias?.Data.Length ?? 0);

    /// <inheritdoc />
    public override Variable Forward(Variable input) => Ops.Linear(input, Weight, Bias);

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Variable Parameter)> OwnParameters()
    {
        yield return ("weight", Weight);
        if (Bias is not null) yield return ("bias", Bias);
    }
}
