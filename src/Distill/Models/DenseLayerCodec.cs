using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// The dense fp32 <see cref="Linear"/> layer: <c>PREFIX.weight</c> [Out, In] and, when the layer has one,
/// <c>PREFIX.bias</c> [Out] — PyTorch's state-dictionary names, so a dense model file holds exactly its state dictionary.
/// </summary>
public sealed class DenseLayerCodec : IAffineLayerCodec
{
    /// <inheritdoc />
    public string Kind => "dense";

    /// <inheritdoc />
    public bool CanWrite(Layer layer) => layer is Linear;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Write(Layer layer, string prefix, ICollection<StoredTensor> tensors)
    {
        var linear = (Linear)layer;
        tensors.Add(StoredTensor.Float32(prefix + "weight", linear.Weight.Data));
        if (linear.Bias is { } bias) tensors.Add(StoredTensor.Float32(prefix + "bias", bias.Data));
        return new Dictionary<string, string>();
    }

    /// <inheritdoc />
    public Layer Read(LayerRecord record, string prefix, LayerTensors tensors)
    {
        float[] weight = tensors.Float32(prefix + "weight", record.Out, record.In);
        float[]? bias = tensors.Contains(prefix + "bias") ? tensors.Float32(prefix + "bias", record.Out) : null;
        var linear = new Linear(record.In, record.Out, new Rng(0), bias is not null);
        weight.CopyTo(linear.Weight.Data.Span);
        bias?.CopyTo(linear.Bias!.Data.Span);
        return linear;
    }
}
