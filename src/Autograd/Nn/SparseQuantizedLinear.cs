using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// The serving form of a pruned, int8-quantized <see cref="Linear"/>: y = x·Wᵀ + b with W held as a
/// <see cref="SparseInt8Matrix"/> (8×1 blocks of 7-bit values, 16-bit column indices, per-channel scales), run by
/// <see cref="ICompute.SparseInt8Linear"/>. x: [B, In] → y: [B, Out]. Activations are quantized to u8 per call from
/// their own range, or with a fixed calibrated <see cref="Activation"/>. Forward only: the last stage of
/// distilled → pruned → int8, built from the pruned model.
/// </summary>
public sealed class SparseQuantizedLinear : Layer, IAffineLayer
{
    private readonly Tensor _bias;

    /// <summary>
    /// Wraps <paramref name="weight"/> [Out, In], an optional <paramref name="bias"/> of Out values (copied) and an
    /// optional static <paramref name="activation"/> quantization (null: dynamic, from each batch's range).
    /// </summary>
    /// <exception cref="ArgumentException">The bias does not have one value per output.</exception>
    public SparseQuantizedLinear(SparseInt8Matrix weight, ReadOnlySpan<float> bias, ActivationQuantization? activation = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!bias.IsEmpty && bias.Length != weight.Rows)
            throw new ArgumentException($"SparseQuantizedLinear: bias of {bias.Length} values for W [{weight.Rows}, {weight.Columns}]; it needs {weight.Rows}.", nameof(bias));
        Weight = weight;
        Activation = activation;
        _bias = bias.IsEmpty ? default : Tensor.FromArray(bias.ToArray(), new Shape(bias.Length));
    }

    /// <summary>
    /// Quantizes a pruned dense layer: its weight's 8×1 blocks that hold any non-zero are kept
    /// (<see cref="SparseInt8Matrix.FromDense"/>), its bias is copied.
    /// </summary>
    /// <exception cref="ArgumentException">The weight holds a NaN or an infinity, or is wider than 65,536 inputs.</exception>
    public static SparseQuantizedLinear FromLinear(Linear linear, ActivationQuantization? activation = null)
    {
        ArgumentNullException.ThrowIfNull(linear);
        var weight = SparseInt8Matrix.FromDense(linear.Weight.Data.Span, linear.OutFeatures, linear.InFeatures);
        return new SparseQuantizedLinear(weight, linear.Bias is { } b ? b.Data.Span : default, activation);
    }

    /// <summary>Quantizes a sparse fp32 weight and its bias (<see cref="SparseInt8Matrix.FromSparse"/>).</summary>
    /// <exception cref="ArgumentException">The weight holds a NaN or an infinity, or the bias has the wrong length.</exception>
    public static SparseQuantizedLinear FromSparse(SparseMatrix weight, ReadOnlySpan<float> bias, ActivationQuantization? activation = null) =>
        new(SparseInt8Matrix.FromSparse(weight), bias, activation);

    /// <summary>The pruned int8 weight, [Out, In].</summary>
    public SparseInt8Matrix Weight { get; }

    /// <summary>The static activation quantization, or null when each batch is quantized from its own range.</summary>
    public ActivationQuantization? Activation { get; }

    /// <summary>The bias, Out values, or empty when the layer has none.</summary>
    public ReadOnlySpan<float> Bias => _bias.IsEmpty ? default : _bias.Span;

    /// <summary>True when the layer adds a bias.</summary>
    public bool HasBias => !_bias.IsEmpty;

    /// <inheritdoc />
    protected override bool RunsOn(ICompute backend) => backend is CpuCompute;

    /// <inheritdoc />
    public int InFeatures => Weight.Columns;

    /// <inheritdoc />
    public int OutFeatures => Weight.Rows;

    /// <summary>The non-zero quantized weights plus the bias.</summary>
    public long StoredParameters => Weight.NonZeros + (HasBias ? _bias.Length : 0);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The input records gradients: this layer has no backward.</exception>
    /// <exception cref="ArgumentException">The input is not [B, In], or (dynamic quantization) holds a NaN or an infinity.</exception>
    public override Variable Forward(Variable input)
    {
        Graph g = Graph.Of(nameof(SparseQuantizedLinear), input);
        if (Graph.Records(input))
            throw new InvalidOperationException(
                "SparseQuantizedLinear is forward-only (a served pruned int8 layer); fine-tune the dense masked model instead, or run without gradients.");
        if (input.Shape.Rank != 2 || input.Shape[1] != InFeatures)
            throw new ArgumentException($"SparseQuantizedLinear: input {input.Shape} should be [B, {InFeatures}].", nameof(input));
        Variable y = g.Result(new Shape(input.Shape[0], OutFeatures), false);
        g.Backend.SparseInt8Linear(y.Data, input.Data, Weight, _bias, Epilogue.None, Activation);
        return y;
    }
}
