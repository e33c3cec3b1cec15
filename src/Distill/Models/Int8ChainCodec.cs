using System.Globalization;
using TinyKd.Autograd.Nn;

namespace TinyKd.Distill.Models;

/// <summary>
/// The fused int8 chain <see cref="QuantizedChain"/> (kind <c>int8-chain</c>): its record keeps <c>chain_version</c>
/// (1, the only layout this TinyKd reads), <c>sizes</c> (the chain's widths, "784-256-10") and, per layer j, the static
/// activation quantization as <c>layerJ.activation_scale</c> / <c>layerJ.activation_zero_point</c>; layer j's arrays
/// are those of an <see cref="Int8LayerCodec"/> layer under <c>PREFIX.layerJ.</c>. ReLU sits between the layers.
/// </summary>
public sealed class Int8ChainCodec : IAffineLayerCodec
{
    /// <summary>The chain layout this code writes and reads.</summary>
    public const int ChainVersion = 1;

    /// <inheritdoc />
    public string Kind => "int8-chain";

    /// <inheritdoc />
    public bool CanWrite(Layer layer) => layer is QuantizedChain;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Write(Layer layer, string prefix, ICollection<StoredTensor> tensors)
    {
        var chain = (QuantizedChain)layer;
        var attributes = new Dictionary<string, string>
        {
            ["chain_version"] = ChainVersion.ToString(CultureInfo.InvariantCulture),
            ["sizes"] = string.Join("-", chain.Layers.Select(l => l.InFeatures).Append(chain.OutFeatures).Select(s => s.ToString(CultureInfo.InvariantCulture))),
        };
        for (int j = 0; j < chain.Layers.Count; j++)
            Int8LayerCodec.WriteLayer(chain.Layers[j], $"{prefix}{Key(j)}", tensors, attributes, Key(j));
        return attributes;
    }

    /// <inheritdoc />
    public Layer Read(LayerRecord record, string prefix, LayerTensors tensors)
    {
        string version = record.Attribute("chain_version", tensors);
        if (version != ChainVersion.ToString(CultureInfo.InvariantCulture))
            throw tensors.Error($"has an {Kind} layer '{prefix}' of chain version '{version}'; this TinyKd reads version {ChainVersion}");
        string sizesText = record.Attribute("sizes", tensors);
        MlpSpec sizes;
        try
        {
            sizes = MlpSpec.Parse(sizesText);
        }
        catch (ArgumentException e)
        {
            throw tensors.Error($"has an {Kind} layer '{prefix}' with invalid sizes '{sizesText}': {e.Message}");
        }
        int[] s = sizes.Sizes;
        if (s.Length < 3 || s[0] != record.In || s[^1] != record.Out)
            throw tensors.Error($"has an {Kind} layer '{prefix}' {record.In}→{record.Out} with sizes '{sizesText}'; a chain has at least two layers from {record.In} to {record.Out}");
        var layers = new List<QuantizedLinear>(s.Length - 1);
        for (int j = 0; j + 1 < s.Length; j++)
        {
            QuantizedLinear layer = Int8LayerCodec.ReadLayer(record, s[j], s[j + 1], $"{prefix}{Key(j)}", tensors, Key(j));
            if (layer.Activation is null)
                throw tensors.Error($"has an {Kind} layer '{prefix}' whose layer {j} has no static activation quantization");
            layers.Add(layer);
        }
        return new QuantizedChain(layers);
    }

    private static string Key(int j) => $"layer{j.ToString(CultureInfo.InvariantCulture)}.";
}
