namespace TinyKd.Distill.Pruning;

/// <summary>What magnitude pruning removes as one unit.</summary>
public enum PruningGranularity
{
    /// <summary>Single weights, scored by |w| (unstructured pruning).</summary>
    Element,
    /// <summary>
    /// Blocks of <see cref="Tensors.SparseMatrix.BlockHeight"/> output channels × 1 input column, scored by their L2
    /// norm: the layout of the blocked sparse kernels, which then store no explicit zeros.
    /// </summary>
    Block,
}

/// <summary>Where the magnitude threshold is drawn.</summary>
public enum ThresholdScope
{
    /// <summary>One threshold over every pruned layer: layers with small weights lose more.</summary>
    Global,
    /// <summary>Each pruned layer loses the same fraction of its units.</summary>
    PerLayer,
}

/// <summary>How a model is magnitude-pruned.</summary>
/// <param name="Granularity">Single weights or 8×1 blocks.</param>
/// <param name="Scope">Global or per-layer threshold.</param>
/// <param name="PruneOutputLayer">Prune the output layer too (off by default: see docs/pruning.md).</param>
public sealed record PruningOptions(
    PruningGranularity Granularity = PruningGranularity.Block,
    ThresholdScope Scope = ThresholdScope.Global,
    bool PruneOutputLayer = false);
