using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// The int8 <see cref="QuantizedLinear"/> layer: <c>PREFIX.values</c> (int8 [Out, In], row-major, each in ±64 — the
/// 7-bit weights of <see cref="Int8LinearWeight"/>, stored unpacked so the file does not depend on the kernels' tile
/// layout), <c>PREFIX.scales</c> (float32 [Out], w ≈ q·scale) and, when the layer has one, <c>PREFIX.bias</c> (float32
/// [Out]). The header record keeps, for a static activation quantization, its scale and zero point.
/// </summary>
public sealed class Int8LayerCodec : IAffineLayerCodec
{
    /// <inheritdoc />
    public string Kind => "int8";

    /// <inheritdoc />
    public bool CanWrite(Layer layer) => layer is QuantizedLinear;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Write(Layer layer, string prefix, ICollection<StoredTensor> tensors)
    {
        var attributes = new Dictionary<string, string>();
        WriteLayer((QuantizedLinear)layer, prefix, tensors, attributes, "");
        return attributes;
    }

    /// <inheritdoc />
    public Layer Read(LayerRecord record, string prefix, LayerTensors tensors) =>
        ReadLayer(record, record.In, record.Out, prefix, tensors, "");

    /// <summary>
    /// Adds one int8 layer's arrays under <paramref name="prefix"/> and its activation quantization to
    /// <paramref name="attributes"/> under names that start with <paramref name="key"/>.
    /// </summary>
    internal static void WriteLayer(QuantizedLinear layer, string prefix, ICollection<StoredTensor> tensors, IDictionary<string, string> attributes, string key)
    {
        Int8LinearWeight w = layer.Weight;
        var values = new sbyte[(long)w.OutFeatures * w.InFeatures];
        var scales = new float[w.OutFeatures];
        for (int o = 0; o < w.OutFeatures; o++)
        {
            scales[o] = w.Scale(o);
            for (int i = 0; i < w.InFeatures; i++) values[(long)o * w.InFeatures + i] = w[o, i];
        }
        tensors.Add(StoredTensor.Int8(prefix + "values", values, w.OutFeatures, w.InFeatures));
        tensors.Add(StoredTensor.Float32(prefix + "scales", scales, w.OutFeatures));
        if (layer.HasBias) tensors.Add(StoredTensor.Float32(prefix + "bias", layer.Bias, w.OutFeatures));
        ActivationAttributes.Write(layer.Activation, attributes, key);
    }

    /// <summary>The int8 layer [<paramref name="outFeatures"/>, <paramref name="inFeatures"/>] that <see cref="WriteLayer"/> wrote.</summary>
    /// <exception cref="InvalidDataException">An array or attribute is missing or invalid (the message names it).</exception>
    internal static QuantizedLinear ReadLayer(LayerRecord record, int inFeatures, int outFeatures, string prefix, LayerTensors tensors, string key)
    {
        ActivationQuantization? activation = ActivationAttributes.Read(record, prefix, tensors, key);
        if (inFeatures > Int8LinearWeight.MaxInFeatures)
            throw tensors.Error($"has an {record.Kind} layer '{prefix}' with {inFeatures} inputs; the int8 kernels take at most {Int8LinearWeight.MaxInFeatures}");
        sbyte[] values = tensors.Int8(prefix + "values", outFeatures, inFeatures);
        float[] scales = tensors.Float32(prefix + "scales", outFeatures);
        float[]? bias = tensors.Contains(prefix + "bias") ? tensors.Float32(prefix + "bias", outFeatures) : null;
        Int8LinearWeight weight;
        try
        {
            weight = Int8LinearWeight.FromQuantized(values, scales, outFeatures, inFeatures);
        }
        catch (ArgumentException e)
        {
            throw tensors.Error($"has an invalid tensor '{prefix}{(e.ParamName == "scales" ? "scales" : "values")}': {e.Message}");
        }
        return new QuantizedLinear(weight, bias, activation);
    }
}
