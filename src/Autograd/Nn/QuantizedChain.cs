using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// Statically quantized int8 layers served as one int8 → int8 chain: Linear → ReLU → … → Linear, where every layer
/// but the last runs <see cref="ICompute.Int8LinearU8(Span{byte}, ReadOnlySpan{byte}, int, Int8LinearWeight,
/// ActivationQuantization, ActivationQuantization, Tensor, Epilogue)"/> — bias, ReLU and the rescale to the next
/// layer's fixed input quantization fused into its epilogue — so the hidden activations stay u8 and are never
/// written as floats. The fp32 input is quantized once (the first layer's <see cref="QuantizedLinear.Activation"/>)
/// and the last layer writes fp32 (logits). The output equals that of the same <see cref="QuantizedLinear"/> layers
/// run one by one with ReLU between them, bit for bit: the fused epilogue computes the float y the unfused layer
/// writes and quantizes it with the next layer's own arithmetic (<see cref="ICompute.Int8LinearU8(Span{byte},
/// ReadOnlySpan{byte}, int, Int8LinearWeight, ActivationQuantization, ActivationQuantization, Tensor, Epilogue)"/>).
/// In an <see cref="Mlp"/> it stands for <see cref="Depth"/> affine layers. Forward only.
/// </summary>
public sealed class QuantizedChain : Layer, IAffineLayer
{
    // Per-thread ping-pong buffers for the u8 activations, grown on demand and then reused.
    [ThreadStatic] private static byte[]? t_codes0;
    [ThreadStatic] private static byte[]? t_codes1;

    private readonly QuantizedLinear[] _layers;

    /// <summary>Chains <paramref name="layers"/> (at least two), with ReLU after each but the last.</summary>
    /// <exception cref="ArgumentException">Fewer than two layers, a layer without a static activation quantization,
    /// or widths that do not chain (the message names the layer).</exception>
    public QuantizedChain(IReadOnlyList<QuantizedLinear> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count < 2)
            throw new ArgumentException($"A quantized chain needs at least two layers; got {layers.Count}.", nameof(layers));
        for (int l = 0; l < layers.Count; l++)
        {
            ArgumentNullException.ThrowIfNull(layers[l], $"{nameof(layers)}[{l}]");
            if (layers[l].Activation is null)
                throw new ArgumentException($"Layer {l} of a quantized chain has dynamic activations; the chain needs a static quantization on every layer.", nameof(layers));
            if (l > 0 && layers[l].InFeatures != layers[l - 1].OutFeatures)
                throw new ArgumentException($"Layer {l} of a quantized chain takes {layers[l].InFeatures} inputs after a layer of {layers[l - 1].OutFeatures} outputs.", nameof(layers));
        }
        _layers = [.. layers];
    }

    /// <summary>The int8 layers, input to output.</summary>
    public IReadOnlyList<QuantizedLinear> Layers => _layers;

    /// <inheritdoc />
    protected override bool RunsOn(ICompute backend) => backend is CpuCompute;

    /// <inheritdoc />
    public int InFeatures => _layers[0].InFeatures;

    /// <inheritdoc />
    public int OutFeatures => _layers[^1].OutFeatures;

    /// <inheritdoc />
    public long StoredParameters => _layers.Sum(l => l.StoredParameters);

    /// <inheritdoc />
    public int Depth => _layers.Length;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The input records gradients: the chain has no backward.</exception>
    /// <exception cref="ArgumentException">The input is not [B, In].</exception>
    public override Variable Forward(Variable input)
    {
        Graph g = Graph.Of(nameof(QuantizedChain), input);
        if (Graph.Records(input))
            throw new InvalidOperationException(
                "QuantizedChain is forward-only (served int8 layers); train the fp32 model, then quantize it, or run without gradients.");
        if (input.Shape.Rank != 2 || input.Shape[1] != InFeatures)
            throw new ArgumentException($"QuantizedChain: input {input.Shape} should be [B, {InFeatures}].", nameof(input));
        int batch = input.Shape[0];
        Variable y = g.Result(new Shape(batch, OutFeatures), false);
        if (batch == 0) return y;

        QuantizedLinear first = _layers[0];
        int stride = first.Weight.PaddedInFeatures;
        Span<byte> codes = Grow(ref t_codes0, batch * stride);
        ReadOnlySpan<float> x = input.Data.Span;
        ActivationQuantization quantization = first.Activation!.Value;
        for (int i = 0; i < batch; i++) quantization.Quantize(x.Slice(i * InFeatures, InFeatures), codes.Slice(i * stride, InFeatures));
        for (int l = 0; l + 1 < _layers.Length; l++)
        {
            QuantizedLinear layer = _layers[l], next = _layers[l + 1];
            Span<byte> outputs = Grow(ref l % 2 == 0 ? ref t_codes1 : ref t_codes0, batch * next.Weight.PaddedInFeatures);
            g.Backend.Int8LinearU8(outputs, codes, batch, layer.Weight, layer.Activation!.Value, next.Activation!.Value, layer.BiasTensor, Epilogue.Relu);
            codes = outputs;
        }
        QuantizedLinear last = _layers[^1];
        g.Backend.Int8LinearU8(y.Data, codes, last.Weight, last.Activation!.Value, last.BiasTensor);
        return y;
    }

    private static Span<byte> Grow(ref byte[]? buffer, int length) =>
        (buffer is { } b && b.Length >= length ? b : buffer = new byte[length]).AsSpan(0, length);
}
