using TinyKd.Tensors;

namespace TinyKd.Autograd;

public static partial class Losses
{
    /// <summary>
    /// Cross-entropy from logits and integer labels, averaged over the batch, as PyTorch's
    /// <c>F.cross_entropy(logits, labels, label_smoothing=ε)</c>: −mean((1−ε)·log p[label] + ε/C·Σ log p).
    /// logits: [B, C], labels: B values in [0, C), uploaded to the graph's backend once per step (<see cref="Graph.Upload"/>).
    /// The labels are read again by backward: keep them unchanged until then.
    /// With <paramref name="ignoreUnlabelled"/>, rows labelled <see cref="ComputeChecks.Unlabelled"/> (−1) are left out
    /// and the mean is over the labelled rows, as PyTorch's <c>ignore_index=-1</c>; a batch without any label gives 0
    /// (PyTorch gives NaN) and no gradient, so a transfer-set batch of unlabelled samples is harmless.
    /// With <paramref name="weight"/> the loss is weight·CE, computed in the same kernels (what
    /// <c>Ops.Scale(CrossEntropy(…), weight)</c> gives, without its two extra passes, forward and backward).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a label is out of range (named with its index).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The label smoothing is outside [0, 1], or the weight is not finite.</exception>
    public static Variable CrossEntropy(Variable logits, ReadOnlyMemory<int> labels, float labelSmoothing = 0f, bool ignoreUnlabelled = false,
        float weight = 1f)
    {
        Graph g = Graph.Of(nameof(CrossEntropy), logits);
        // Checked on the host before a device copy (which the other overload cannot read); a CPU view is checked there.
        if (logits.Shape.Rank == 2 && g.Backend is not CpuCompute) ComputeChecks.Labels(labels.Span, logits.Shape[0], logits.Shape[1], ignoreUnlabelled);
        return CrossEntropy(logits, g.Upload(labels), labelSmoothing, ignoreUnlabelled, weight);
    }

    /// <summary>
    /// <see cref="CrossEntropy(Variable, ReadOnlyMemory{int}, float, bool, float)"/> with labels already on the logits' backend
    /// (uploaded with the batch). Their values are checked here only when the host can read them (a CPU int tensor); a
    /// device's labels are checked where the host made them.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a host-readable label is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The label smoothing is outside [0, 1], or the weight is not finite.</exception>
    public static Variable CrossEntropy(Variable logits, IntTensor labels, float labelSmoothing = 0f, bool ignoreUnlabelled = false,
        float weight = 1f)
    {
        Graph g = Graph.Of(nameof(CrossEntropy), logits);
        if (logits.Shape.Rank != 2)
            throw new ArgumentException($"CrossEntropy: logits must be [B, C]; got {logits.Shape}.", nameof(logits));
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Label smoothing must be in [0, 1]; got {labelSmoothing}.");
        CheckWeight(weight);
        if (labels.Length != logits.Shape[0])
            throw new ArgumentException($"There are {labels.Length} labels for {logits.Shape[0]} rows of logits.", nameof(labels));
        if (labels.IsHost) ComputeChecks.Labels(labels.Span, logits.Shape[0], logits.Shape[1], ignoreUnlabelled);
        bool records = Graph.Records(logits);
        Tensor logp = g.Scratch(logits.Shape);
        g.Backend.Softmax(logp, logits.Data, 1f, log: true);
        Variable loss = g.Result(new Shape(), records);
        // The forward counts the labelled rows B anyway; kept for the backward, it is not counted again there.
        Tensor labelled = records ? g.Scratch(new Shape(1)) : default;
        g.Backend.NllLoss(loss.Data, logp, labels, labelSmoothing, labelled, weight);
        if (records)
            g.Record(new TapeEntry(CrossEntropyBackward, loss, logits) { Saved = logp, Saved2 = labelled, Labels = labels, P0 = labelSmoothing, P1 = weight });
        return loss;
    }

    // Saved = log p, Saved2 = B (the labelled rows, one element), Labels = the labels on the backend, P0 = ε, P1 = the weight w.
    // dlogits += (dloss·w)·(p − target)/B with target = (1−ε)·onehot + ε/C, written over dlogits when it holds nothing of
    // this pass yet (no zero-fill first).
    private static void CrossEntropyBackward(in TapeEntry e, Graph g)
    {
        Tensor dLogits = g.GradForWrite(e.A!, out bool overwrite);
        g.Backend.SoftmaxCrossEntropyBackward(dLogits, e.Saved, e.Labels, e.P0, e.Output.Grad, accumulate: !overwrite, labelledCount: e.Saved2,
            factor: e.P1);
    }
}
