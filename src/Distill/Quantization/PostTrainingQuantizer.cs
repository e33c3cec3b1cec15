using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Quantization;

/// <summary>How the inputs of each int8 layer are quantized.</summary>
public enum ActivationMode
{
    /// <summary>From each batch's own min and max, at every call: nothing to calibrate, a pass over x per layer.</summary>
    Dynamic,
    /// <summary>With one scale and zero point per layer, fixed from calibration data.</summary>
    Static,
}

/// <summary>How a static activation range is taken from the calibration data.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    MinMax,
    /// <summary>The (100 − p)-th and p-th percentiles: a few outliers no longer stretch the range for everything else.</summary>
    Percentile,
}

/// <summary>Post-training quantization settings.</summary>
/// <param name="Activations">Dynamic (default) or static activation quantization.</param>
/// <param name="Calibration">How static ranges are taken (ignored for dynamic).</param>
/// <param name="Percentile">p of <see cref="CalibrationMethod.Percentile"/>, in (50, 100].</param>
/// <param name="KeepOutputLayerFp32">Leave the last (logits) layer in fp32.</param>
/// <param name="FuseStaticChains">With static activations and ReLU, serve each run of consecutive dense int8 layers as
/// one <see cref="QuantizedChain"/> (bias, ReLU and the requantization to the next layer's range fused into each
/// layer's epilogue, u8 activations between layers); same outputs bit for bit, fewer passes over the activations.</param>
public sealed record QuantizationOptions(
    ActivationMode Activations = ActivationMode.Dynamic,
    CalibrationMethod Calibration = CalibrationMethod.MinMax,
    double Percentile = 99.99,
    bool KeepOutputLayerFp32 = false,
    bool FuseStaticChains = true);

/// <summary>
/// Post-training int8 quantization of a trained MLP: every affine layer's weight becomes 7-bit per output row
/// (<see cref="Int8LinearWeight"/>; a pruned <see cref="SparseLinear"/> becomes a <see cref="SparseQuantizedLinear"/>,
/// so pruning and int8 compose), its bias stays fp32; activations are quantized to u8 per tensor, dynamically at each
/// call or statically with a range calibrated by running the fp32 model over calibration rows. Static dense layers
/// are served as an int8 → int8 <see cref="QuantizedChain"/> (see <see cref="QuantizationOptions.FuseStaticChains"/>).
/// </summary>
public static class PostTrainingQuantizer
{
    /// <summary>The int8 copy of <paramref name="model"/> (which is not changed).</summary>
    /// <param name="model">A trained model of <see cref="Linear"/> and <see cref="SparseLinear"/> layers.</param>
    /// <param name="options">The settings.</param>
    /// <param name="calibration">[N, In] rows, preprocessed as the model expects; required for static activations.</param>
    /// <exception cref="ArgumentException">A layer that is neither dense nor sparse fp32, static mode without
    /// calibration rows, calibration rows of the wrong width, or a percentile outside (50, 100].</exception>
    public static Mlp Quantize(Mlp model, QuantizationOptions options, Tensor calibration = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return Quantize(model, options, options.Activations == ActivationMode.Static ? Calibrate(model, calibration, options) : null);
    }

    /// <summary>
    /// The int8 copy of <paramref name="model"/> with given static input quantizations, one per affine layer (from
    /// <see cref="Calibrate"/>, e.g. taken before quantization-aware training so the served model keeps the ranges the
    /// training saw), or dynamic activations when <paramref name="ranges"/> is null.
    /// </summary>
    /// <exception cref="ArgumentException">A layer that is neither dense nor sparse fp32, or not one range per affine layer.</exception>
    public static Mlp Quantize(Mlp model, QuantizationOptions options, IReadOnlyList<ActivationQuantization>? ranges)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<Layer> affine = model.AffineLayers;
        if (ranges is not null && ranges.Count != affine.Count)
            throw new ArgumentException($"{ranges.Count} activation ranges for the {affine.Count} affine layers of MLP {model.Spec}.", nameof(ranges));
        var layers = new List<Layer>(affine.Count);
        for (int l = 0; l < affine.Count; l++)
        {
            ActivationQuantization? activation = ranges?[l];
            bool keep = options.KeepOutputLayerFp32 && l == affine.Count - 1;
            layers.Add(affine[l] switch
            {
                Linear linear when keep => linear,
                SparseLinear sparse when keep => sparse,
                Linear linear => QuantizedLinear.FromLinear(linear, activation),
                SparseLinear sparse => SparseQuantizedLinear.FromSparse(sparse.Weight, sparse.Bias, activation),
                Layer other => throw new ArgumentException($"MLP {model.Spec} holds a {other.GetType().Name}; only fp32 dense and sparse layers are quantized.", nameof(model)),
            });
        }
        bool fuse = ranges is not null && options.FuseStaticChains && model.Spec.Activation == Activation.Relu;
        return new Mlp(model.Spec, fuse ? Fuse(layers) : layers);
    }

    // Runs of two or more consecutive dense int8 layers become one QuantizedChain (the ReLUs between them fused).
    private static List<Layer> Fuse(List<Layer> layers)
    {
        var fused = new List<Layer>(layers.Count);
        var run = new List<QuantizedLinear>();
        void Flush()
        {
            if (run.Count >= 2) fused.Add(new QuantizedChain(run));
            else fused.AddRange(run);
            run.Clear();
        }
        foreach (Layer layer in layers)
        {
            if (layer is QuantizedLinear quantized) run.Add(quantized);
            else
            {
                Flush();
                fused.Add(layer);
            }
        }
        Flush();
        return fused;
    }

    /// <summary>
    /// The static quantization of each affine layer's input: the fp32 model runs over <paramref name="calibration"/>
    /// (evaluation mode) and each layer's inputs give its range (min/max or percentiles), widened to contain 0.
    /// </summary>
    /// <exception cref="ArgumentException">No calibration rows, rows of the wrong width, or a bad percentile.</exception>
    public static IReadOnlyList<ActivationQuantization> Calibrate(Mlp model, Tensor calibration, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (calibration.IsEmpty || calibration.Shape.Rank != 2 || calibration.Shape[0] == 0)
            throw new ArgumentException("Static activation quantization needs calibration rows [N, In] with N ≥ 1.", nameof(calibration));
        if (calibration.Shape[1] != model.Spec.InputSize)
            throw new ArgumentException($"Calibration rows {calibration.Shape} do not fit MLP {model.Spec} (it takes {model.Spec.InputSize} inputs).", nameof(calibration));
        if (!(options.Percentile > 50 && options.Percentile <= 100))
            throw new ArgumentException($"The calibration percentile is {options.Percentile}; it must be in (50, 100].", nameof(options));
        var ranges = new List<ActivationQuantization>();
        var graph = new Graph(calibration.Backend, evaluationMode: true);
        using var _ = GradMode.NoGrad();
        Variable v = graph.Input(calibration);
        for (int i = 0; i < model.Count; i++)
        {
            if (model[i] is IAffineLayer) ranges.Add(RangeOf(v.Data.Span, options));
            v = model[i].Forward(v);
        }
        return ranges;
    }

    private static ActivationQuantization RangeOf(ReadOnlySpan<float> values, QuantizationOptions options)
    {
        foreach (float x in values)
            if (!float.IsFinite(x))
                throw new ArgumentException($"A calibration activation is {x}; calibration needs finite values.");
        if (options.Calibration == CalibrationMethod.MinMax || options.Percentile >= 100)
        {
            float min = float.MaxValue, max = float.MinValue;
            foreach (float x in values)
            {
                min = Math.Min(min, x);
                max = Math.Max(max, x);
            }
            return ActivationQuantization.FromRange(min, max);
        }
        float[] sorted = values.ToArray();
        Array.Sort(sorted);
        int high = (int)Math.Ceiling(options.Percentile / 100 * (sorted.Length - 1));
        int low = sorted.Length - 1 - high;
        return ActivationQuantization.FromRange(sorted[low], sorted[high]);
    }
}
