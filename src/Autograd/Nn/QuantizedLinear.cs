using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// The serving form of an int8-quantized <see cref="Linear"/>: y = x·Wᵀ + b with W held as an
/// <see cref="Int8LinearWeight"/> (7-bit values with one scale per output row, packed for the int8 kernels), run by
/// <see cref="ICompute.Int8Linear"/>. x: [B, In] → y: [B, Out]. Activations are quantized to u8 per call from their
/// own range (dynamic), or with a fixed calibrated <see cref="Activation"/> (static). Forward only: a model is
/// trained in fp32 and quantized after.
/// </summary>
public sealed class QuantizedLinear : Layer, IAffineLayer
{
    private readonly Tensor _bias;

    /// <summary>
    /// Wraps <paramref name="weight"/> [Out, In], an optional <paramref name="bias"/> of Out values (copied) and an
    /// optional static <paramref name="activation"/> quantization (null: dynamic, from each batch's range).
    /// </summary>
    /// <exception cref="ArgumentException">The bias does not have one value per output.</exception>
    public QuantizedLinear(Int8LinearWeight weight, ReadOnlySpan<float> bias, ActivationQuantization? activation = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!bias.IsEmpty && bias.Length != weight.OutFeatures)
            throw new ArgumentException($"QuantizedLinear: bias of {bias.Length} values for W [{weight.OutFeatures}, {weight.InFeatures}]; it needs {weight.OutFeatures}.", nameof(bias));
        Weight = weight;
        Activation = activation;
        _bias = bias.IsEmpty ? default : Tensor.FromArray(bias.ToArray(), new Shape(bias.Length));
    }

    /// <summary>Quantizes a dense layer's weight per output row (<see cref="Int8LinearWeight.Quantize"/>) and copies its bias.</summary>
    /// <exception cref="ArgumentException">The weight holds a NaN or an infinity.</exception>
    public static QuantizedLinear FromLinear(Linear linear, ActivationQuantization? activation = null)
    {
        ArgumentNullException.ThrowIfNull(linear);
        var weight = Int8LinearWeight.Quantize(linear.Weight.Data.Span, linear.OutFeatures, linear.InFeatures);
        return new QuantizedLinear(weight, linear.Bias is { } b ? b.Data.Span : default, activation);
    }

    /// <summary>The int8 weight, [Out, In].</summary>
    public Int8LinearWeight Weight { get; }

    /// <summary>The static activation quantization, or null when each batch is quantized from its own range.</summary>
    public ActivationQuantization? Activation { get; }

    /// <summary>The bias, Out values, or empty when the layer has none.</summary>
    public ReadOnlySpan<float> Bias => _bias.IsEmpty ? default : _bias.Span;

    /// <summary>The bias as a tensor on the CPU backend, or empty: what the int8 kernels take.</summary>
    internal Tensor BiasTensor => _bias;

    /// <summary>True when the layer adds a bias.</summary>
    public bool HasBias => !_bias.IsEmpty;

    /// <inheritdoc />
    protected override bool RunsOn(ICompute backend) => backend is CpuCompute;

    /// <inheritdoc />
    public int InFeatures => Weight.InFeatures;

    /// <inheritdoc />
    public int OutFeatures => Weight.OutFeatures;

    /// <summary>The quantized weights plus the bias.</summary>
    public long StoredParameters => (long)Weight.OutFeatures * Weight.InFeatures + (HasBias ? _bias.Length : 0);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The input records gradients: this layer has no backward.</exception>
    /// <exception cref="ArgumentException">The input is not [B, In], or (dynamic quantization) holds a NaN or an infinity.</exception>
    public override Variable Forward(Variable input)
    {
        Graph g = Graph.Of(nameof(QuantizedLinear), input);
        if (Graph.Records(input))
            throw new InvalidOperationException(
                "QuantizedLinear is forward-only (a served int8 layer); train the fp32 model, then quantize it, or run without gradients.");
        if (input.Shape.Rank != 2 || input.Shape[1] != InFeatures)
            throw new ArgumentException($"QuantizedLinear: input {input.Shape} should be [B, {InFeatures}].", nameof(input));
        Variable y = g.Result(new Shape(input.Shape[0], OutFeatures), false);
        g.Backend.Int8Linear(y.Data, input.Data, Weight, _bias, Epilogue.None, Activation);
        return y;
    }
}
