using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pruning;

/// <summary>
/// Structured pruning: removes whole hidden neurons — row j of the layer that computes it (weights and bias) and
/// column j of the next layer — giving a genuinely smaller dense <see cref="Mlp"/> that runs on the dense kernels.
/// </summary>
/// <remarks>
/// A neuron scores √(‖W_i[j, :]‖² + b_i[j]² + ‖W_{i+1}[:, j]‖²): a neuron whose incoming weights, bias and outgoing
/// weights are all zero scores 0 and contributes exactly nothing, so removing it leaves the outputs unchanged. Each
/// hidden layer loses round(fraction · width) neurons (at least one is kept), the lowest scores first, the earlier
/// neuron first on ties; the kept neurons stay in their order.
/// </remarks>
public static class NeuronPruner
{
    /// <summary>A copy of <paramref name="model"/> with <paramref name="fraction"/> of every hidden layer's neurons removed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The model holds a compressed (non-<see cref="Linear"/>) layer.</exception>
    public static Mlp Prune(Mlp model, double fraction)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"The fraction of neurons to remove must be in [0, 1); got {fraction}.");
        Linear[] layers = [.. model.AffineLayers.Select(l => l as Linear
            ?? throw new ArgumentException($"MLP {model.Spec} holds a {l.GetType().Name}; structured pruning needs a dense model.", nameof(model)))];
        int[][] kept = new int[layers.Length - 1][];
        for (int i = 0; i + 1 < layers.Length; i++) kept[i] = Kept(layers[i], layers[i + 1], fraction);
        int[] sizes = [.. model.Spec.Sizes];
        for (int i = 0; i < kept.Length; i++) sizes[i + 1] = kept[i].Length;
        var smaller = new Mlp(model.Spec with { Sizes = sizes }, new Rng(0));
        IReadOnlyList<Layer> target = smaller.AffineLayers;
        for (int i = 0; i < layers.Length; i++)
            Copy(layers[i], (Linear)target[i], i == 0 ? null : kept[i - 1], i < kept.Length ? kept[i] : null);
        return smaller;
    }

    // The neurons of the layer `layer` computes that survive, ascending.
    private static int[] Kept(Linear layer, Linear next, double fraction)
    {
        int width = layer.OutFeatures;
        ReadOnlySpan<float> w = layer.Weight.Data.Span, v = next.Weight.Data.Span;
        ReadOnlySpan<float> b = layer.Bias is { } bias ? bias.Data.Span : default;
        var scores = new double[width];
        for (int j = 0; j < width; j++)
        {
            double sum = b.IsEmpty ? 0 : (double)b[j] * b[j];
            for (int k = 0; k < layer.InFeatures; k++) sum += (double)w[j * layer.InFeatures + k] * w[j * layer.InFeatures + k];
            for (int o = 0; o < next.OutFeatures; o++) sum += (double)v[o * width + j] * v[o * width + j];
            scores[j] = sum;
        }
        int remove = Math.Min(width - 1, (int)Math.Round(fraction * width, MidpointRounding.AwayFromZero));
        int[] order = [.. Enumerable.Range(0, width).OrderBy(j => scores[j]).ThenBy(j => j)];
        return [.. order.Skip(remove).Order()];
    }

    // to = from restricted to the kept input columns and kept output rows (null = all).
    private static void Copy(Linear from, Linear to, int[]? columns, int[]? rows)
    {
        ReadOnlySpan<float> w = from.Weight.Data.Span;
        Span<float> target = to.Weight.Data.Span;
        int outCount = to.OutFeatures, inCount = to.InFeatures;
        for (int r = 0; r < outCount; r++)
        {
            int sourceRow = rows?[r] ?? r;
            for (int c = 0; c < inCount; c++) target[r * inCount + c] = w[sourceRow * from.InFeatures + (columns?[c] ?? c)];
            if (to.Bias is { } toBias) toBias.Data.Span[r] = from.Bias is { } bias ? bias.Data.Span[sourceRow] : 0f;
        }
    }
}
