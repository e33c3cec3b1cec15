using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pruning;

/// <summary>
/// One-shot magnitude pruning: removes the units (weights, or 8×1 blocks) of smallest magnitude until the requested
/// fraction of units is gone, with one threshold over all pruned layers or one per layer.
/// </summary>
/// <remarks>
/// Exactly round(s·U) units are pruned (U = the units in scope), never "every unit below a threshold", so ties at
/// the threshold cannot over- or under-shoot: among equal scores the unit that comes first (layer, then row-major
/// unit index) is pruned first. A unit already pruned scores 0, so raising the sparsity keeps it pruned (gradual
/// pruning). Scores: |w| for a weight; for a block, its sum of squares (the squared L2 norm, same order), rounded to float.
/// </remarks>
public static class MagnitudePruner
{
    /// <summary>Prunes <paramref name="model"/> in place to <paramref name="sparsity"/> and returns its masks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sparsity is outside [0, 1].</exception>
    public static PruningMask Prune(Mlp model, double sparsity, PruningOptions? options = null)
    {
        var mask = new PruningMask(model, options ?? new PruningOptions());
        Prune(mask, sparsity);
        return mask;
    }

    /// <summary>
    /// Recomputes <paramref name="mask"/> from the model's current weights so that <paramref name="sparsity"/> of the
    /// units in scope are pruned, then applies it to the weights. The mask tensors change in place, so an optimizer
    /// they are attached to follows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The sparsity is outside [0, 1].</exception>
    public static void Prune(PruningMask mask, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!(sparsity >= 0 && sparsity <= 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), $"The sparsity must be in [0, 1]; got {sparsity}.");
        int height = mask.Options.Granularity == PruningGranularity.Block ? SparseMatrix.BlockHeight : 1;
        var scores = mask.Layers.Select(l => Scores(l.Weight.Data, height)).ToArray();
        for (int i = 0; i < scores.Length; i++) mask[i].Span.Fill(1f);
        if (mask.Options.Scope == ThresholdScope.Global)
            PruneSmallest(mask, scores, Enumerable.Range(0, scores.Length).ToArray(), sparsity, height);
        else
            for (int i = 0; i < scores.Length; i++) PruneSmallest(mask, scores, [i], sparsity, height);
        mask.Apply();
    }

    // The round(s·U) smallest units of the given layers: keys sort by (score, position), so ties go to the earlier unit.
    private static void PruneSmallest(PruningMask mask, float[][] scores, int[] layers, double sparsity, int height)
    {
        long units = layers.Sum(i => (long)scores[i].Length);
        long prune = (long)Math.Round(sparsity * units, MidpointRounding.AwayFromZero);
        if (prune == 0) return;
        var keys = new ulong[units];
        var owner = new (int Layer, int Offset)[layers.Length];
        long at = 0;
        for (int j = 0; j < layers.Length; j++)
        {
            owner[j] = (layers[j], (int)at);
            foreach (float score in scores[layers[j]]) keys[at] = ((ulong)BitConverter.SingleToUInt32Bits(score) << 32) | (uint)at++;
        }
        Array.Sort(keys);
        for (long n = 0; n < prune; n++)
        {
            int position = (int)(keys[n] & uint.MaxValue);
            int j = Array.FindLastIndex(owner, o => o.Offset <= position);
            ZeroUnit(mask[owner[j].Layer], position - owner[j].Offset, height);
        }
    }

    // Unit u of W [Out, In]: element u, or the block of rows 8·(u / In) … +7 at column u % In.
    private static void ZeroUnit(Tensor mask, int unit, int height)
    {
        Span<float> m = mask.Span;
        int columns = mask.Shape[1], rows = mask.Shape[0];
        int blockRow = unit / columns, column = unit % columns;
        for (int r = blockRow * height; r < Math.Min(rows, (blockRow + 1) * height); r++) m[r * columns + column] = 0f;
    }

    // One non-negative score per unit, block rows in order, columns within: |w| or the block's sum of squares.
    private static float[] Scores(Tensor weight, int height)
    {
        ReadOnlySpan<float> w = weight.Span;
        int rows = weight.Shape[0], columns = weight.Shape[1];
        int blockRows = (rows + height - 1) / height;
        var scores = new float[blockRows * columns];
        for (int b = 0; b < blockRows; b++)
            for (int k = 0; k < columns; k++)
            {
                double sum = 0;
                for (int r = b * height; r < Math.Min(rows, (b + 1) * height); r++) sum += height == 1 ? Math.Abs(w[r * columns + k]) : (double)w[r * columns + k] * w[r * columns + k];
                scores[b * columns + k] = (float)sum;
            }
        return scores;
    }
}
