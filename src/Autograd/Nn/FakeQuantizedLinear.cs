using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// The training form of an int8 <see cref="QuantizedLinear"/> for quantization-aware training (QAT): y =
/// fq(x)·fq(W)ᵀ + b, where fq rounds the input to u8 (<see cref="Ops.FakeQuantize"/>, with the static
/// <see cref="Activation"/> or each batch's own range) and the weight to its 7-bit rows (<see cref="Ops.FakeQuantizeRows"/>),
/// so the forward computes what the served int8 layer will, and gradients reach the fp32 weight straight through the
/// rounding. It shares the wrapped <see cref="Linear"/>'s parameters: training this layer trains that one, which
/// <see cref="QuantizedLinear.FromLinear"/> then quantizes onto the grid the training saw.
/// </summary>
public sealed class FakeQuantizedLinear : Layer, IAffineLayer
{
    /// <summary>Wraps <paramref name="linear"/> (its parameters are shared, not copied).</summary>
    /// <param name="linear">The fp32 layer to train.</param>
    /// <param name="activation">The static input quantization the served layer will use, or null for dynamic.</param>
    public FakeQuantizedLinear(Linear linear, ActivationQuantization? activation = null)
    {
        ArgumentNullException.ThrowIfNull(linear);
        Linear = linear;
        Activation = activation;
    }

    /// <summary>The wrapped fp32 layer, whose weight and bias this layer trains.</summary>
    public Linear Linear { get; }

    /// <summary>The static input quantization, or null when each batch is quantized from its own range.</summary>
    public ActivationQuantization? Activation { get; }

    /// <inheritdoc />
    public int InFeatures => Linear.InFeatures;

    /// <inheritdoc />
    public int OutFeatures => Linear.OutFeatures;

    /// <inheritdoc />
    public long StoredParameters => Linear.StoredParameters;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The input or the weight holds a NaN or an infinity.</exception>
    public override Variable Forward(Variable input) =>
        Ops.FakeQuantizedLinear(input, Linear.Weight, Linear.Bias, Activation);

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Variable Parameter)> OwnParameters()
    {
        yield return ("weight", Linear.Weight);
        if (Linear.Bias is not null) yield return ("bias", Linear.Bias);
    }
}
