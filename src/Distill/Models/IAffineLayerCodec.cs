using TinyKd.Autograd.Nn;

namespace TinyKd.Distill.Models;

/// <summary>
/// How one kind of affine layer (dense, sparse, int8…) is written to and read from a model file: the header record
/// (<see cref="LayerRecord"/>: kind, widths, attributes) plus named arrays under the layer's prefix ("2.", the index
/// the layer has in its <see cref="Mlp"/>). Codecs are listed in <see cref="ModelFile.Codecs"/>.
/// </summary>
public interface IAffineLayerCodec
{
    /// <summary>The kind written in the header ("dense", "sparse", "int8"…); unique among the codecs.</summary>
    string Kind { get; }

    /// <summary>Whether this codec writes <paramref name="layer"/>.</summary>
    bool CanWrite(Layer layer);

    /// <summary>
    /// Adds the layer's arrays, named <paramref name="prefix"/> + a local name, to <paramref name="tensors"/> and
    /// returns the attributes its header record keeps (none: an empty dictionary).
    /// </summary>
    IReadOnlyDictionary<string, string> Write(Layer layer, string prefix, ICollection<StoredTensor> tensors);

    /// <summary>
    /// Rebuilds the layer that <see cref="Write"/> wrote, taking its arrays from <paramref name="tensors"/> and
    /// checking every one of them (and every attribute) before building anything.
    /// </summary>
    /// <exception cref="InvalidDataException">An array is missing, of another type or shape, or inconsistent; the
    /// message names the file and the tensor (<see cref="LayerTensors.Error"/>).</exception>
    Layer Read(LayerRecord record, string prefix, LayerTensors tensors);
}

/// <summary>One affine layer as a model file's header describes it.</summary>
/// <param name="Kind">The codec kind ("dense", "sparse", "int8"…).</param>
/// <param name="In">The input width.</param>
/// <param name="Out">The output width.</param>
/// <param name="Attributes">What else the codec needs to read the layer (format names, activation quantization…).</param>
public sealed record LayerRecord(string Kind, int In, int Out, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The attribute <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The record has no such attribute.</exception>
    public string Attribute(string name, LayerTensors tensors) =>
        Attributes.TryGetValue(name, out string? value) ? value : throw tensors.Error($"its {Kind} layer record has no '{name}' attribute");
}
