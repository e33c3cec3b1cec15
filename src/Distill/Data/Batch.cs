using TinyKd.Autograd;
using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// One mini-batch from a <see cref="BatchLoader"/>: views of the loader's reusable buffers, valid until its next
/// <see cref="BatchLoader.Next"/> or <see cref="BatchLoader.StartEpoch()"/> call. Copy what must outlive that.
/// </summary>
public readonly struct Batch
{
    /// <summary>Wraps views of a loader's buffers.</summary>
    /// <param name="features">[B, D] features.</param>
    /// <param name="labels">B labels.</param>
    /// <param name="indices">The dataset row of each example (B of them), or empty when unknown.</param>
    /// <param name="labelTensor">The same labels on the features' backend, or empty (see <see cref="LabelTensor"/>).</param>
    public Batch(Tensor features, ReadOnlyMemory<int> labels, ReadOnlyMemory<int> indices = default, IntTensor labelTensor = default)
    {
        Features = features;
        Labels = labels;
        Indices = indices;
        LabelTensor = labelTensor;
    }

    /// <summary>
    /// The labels as an int tensor on the features' backend, put there by <see cref="FeatureUpload.Of"/> with the
    /// features (one upload per batch on a device, a view of <see cref="Labels"/> on the CPU); empty before that.
    /// </summary>
    public IntTensor LabelTensor { get; }

    /// <summary>
    /// The labels on <paramref name="graph"/>'s backend for a loss: <see cref="LabelTensor"/> when the batch went through
    /// <see cref="FeatureUpload.Of"/> for that backend, else the host labels uploaded through the graph.
    /// </summary>
    public IntTensor LabelsOn(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return !LabelTensor.IsEmpty && ReferenceEquals(LabelTensor.Backend, graph.Backend) ? LabelTensor : graph.Upload(Labels);
    }

    /// <summary>
    /// The dataset row each example came from (what per-sample caches, such as cached teacher logits, and seeded
    /// per-sample augmentation are keyed by); empty when the batch was not made by a loader.
    /// </summary>
    public ReadOnlyMemory<int> Indices { get; }

    /// <summary>The features, a CPU tensor [Count, D].</summary>
    public Tensor Features { get; }

    /// <summary>The class index of each row, <see cref="Count"/> of them, in host memory (what metrics read).</summary>
    public ReadOnlyMemory<int> Labels { get; }

    /// <summary>The number of examples B in this batch (the batch size, or fewer for the last one).</summary>
    public int Count => Labels.Length;
}
