using System.Collections.Concurrent;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pruning;

/// <summary>How <see cref="SparseServing.Convert"/> picks each pruned layer's form.</summary>
public enum ServingLayout
{
    /// <summary>Sparse when the layer's sparsity reaches the batch-1 crossover measured on this machine.</summary>
    Measured,
    /// <summary>Every layer with a zero weight sparse (tests, or to see the sparse kernels at any sparsity).</summary>
    Sparse,
}

/// <summary>
/// Turns a pruned dense <see cref="Mlp"/> into its served form: each <see cref="Linear"/> whose weight has zeros
/// becomes a <see cref="SparseLinear"/> in the blocked 8×1 layout, or stays dense where this machine runs it faster
/// dense, by <see cref="SparseCrossover.Measure"/> at batch 1 (serving latency decides), cached per layer shape for
/// the process.
/// </summary>
public static class SparseServing
{
    private static readonly ConcurrentDictionary<(int In, int Out, int Batch), SparseCrossoverResult> Crossovers = new();

    /// <summary>The served copy of <paramref name="model"/> (the model itself is not changed).</summary>
    /// <exception cref="ArgumentException">The model holds a layer that is not a dense <see cref="Linear"/>.</exception>
    public static Mlp Convert(Mlp model, ServingLayout layout = ServingLayout.Measured)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new List<Layer>();
        foreach (Layer layer in model.AffineLayers)
        {
            var linear = layer as Linear
                ?? throw new ArgumentException($"MLP {model.Spec} holds a {layer.GetType().Name}; only dense layers are converted.", nameof(model));
            ReadOnlySpan<float> w = linear.Weight.Data.Span;
            ReadOnlySpan<float> bias = linear.Bias is { } b ? b.Data.Span : default;
            double sparsity = Sparsity(w);
            bool sparse = sparsity > 0 && (layout == ServingLayout.Sparse
                || Crossover(linear.InFeatures, linear.OutFeatures, 1).PrefersSparse(sparsity));
            layers.Add(sparse
                ? new SparseLinear(SparseMatrix.FromDense(w, linear.OutFeatures, linear.InFeatures, SparseFormat.Blocked), bias)
                : CopyOf(linear));
        }
        return new Mlp(model.Spec, layers);
    }

    /// <summary>
    /// The dense fp32 twin of a served model: every <see cref="SparseLinear"/>, <see cref="SparseQuantizedLinear"/> and
    /// <see cref="QuantizedLinear"/> (also each of a <see cref="QuantizedChain"/>) becomes a <see cref="Linear"/> holding the same weights densely (int8 ones dequantized, w = q·scale), dense
    /// layers are copied — what a pruned or quantized model is timed and compared against.
    /// </summary>
    /// <exception cref="ArgumentException">The model holds a layer kind this does not expand.</exception>
    public static Mlp DenseTwin(Mlp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new List<Layer>();
        foreach (Layer layer in model.AffineLayers)
        {
            if (layer is QuantizedChain chain)
            {
                foreach (QuantizedLinear link in chain.Layers) layers.Add(CopyOf(link, Dequantized(link.Weight), link.Bias));
                continue;
            }
            layers.Add(layer switch
            {
                Linear linear => CopyOf(linear),
                SparseLinear sparse => CopyOf(sparse, sparse.Weight.ToDense(), sparse.Bias),
                SparseQuantizedLinear quantized => CopyOf(quantized, quantized.Weight.ToDense(), quantized.Bias),
                QuantizedLinear quantized => CopyOf(quantized, Dequantized(quantized.Weight), quantized.Bias),
                _ => throw new ArgumentException($"MLP {model.Spec} holds a {layer.GetType().Name}, which has no dense twin here.", nameof(model)),
            });
        }
        return new Mlp(model.Spec, layers);
    }

    /// <summary>
    /// The blocked-layout crossover of a layer shape and batch on this machine, measured once per process
    /// (<see cref="SparseCrossover.Measure"/>, about half a second).
    /// </summary>
    public static SparseCrossoverResult Crossover(int inFeatures, int outFeatures, int batch) =>
        Crossovers.GetOrAdd((inFeatures, outFeatures, batch), key => SparseCrossover.Measure(key.In, key.Out, key.Batch, SparseFormat.Blocked));

    /// <summary>The fraction of zeros in <paramref name="weights"/>.</summary>
    public static double Sparsity(ReadOnlySpan<float> weights)
    {
        long zeros = 0;
        foreach (float v in weights) if (v == 0f) zeros++;
        return weights.IsEmpty ? 0 : (double)zeros / weights.Length;
    }

    private static float[] Dequantized(Int8LinearWeight weight)
    {
        var dense = new float[(long)weight.OutFeatures * weight.InFeatures];
        weight.Dequantize(dense);
        return dense;
    }

    private static Linear CopyOf(Linear linear) =>
        CopyOf(linear, linear.Weight.Data.Span, linear.Bias is { } b ? b.Data.Span : default);

    private static Linear CopyOf(IAffineLayer shape, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias)
    {
        var copy = new Linear(shape.InFeatures, shape.OutFeatures, new Rng(0), !bias.IsEmpty);
        weight.CopyTo(copy.Weight.Data.Span);
        if (!bias.IsEmpty) bias.CopyTo(copy.Bias!.Data.Span);
        return copy;
    }
}
