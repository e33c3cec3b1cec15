using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// The serving form of a pruned <see cref="Linear"/>: y = x·Wᵀ + b with W held as a <see cref="SparseMatrix"/>
/// (values + 16-bit column indices), run by <see cref="ICompute.SparseLinear"/>. x: [B, In] → y: [B, Out].
/// Forward only: a pruned model is fine-tuned in its dense masked form, then converted.
/// </summary>
public sealed class SparseLinear : Layer, IAffineLayer
{
    private readonly Tensor _bias;

    /// <summary>Wraps <paramref name="weight"/> [Out, In] and an optional <paramref name="bias"/> of Out values (copied).</summary>
    /// <exception cref="ArgumentException">The bias does not have one value per output.</exception>
    public SparseLinear(SparseMatrix weight, ReadOnlySpan<float> bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!bias.IsEmpty && bias.Length != weight.Rows)
            throw new ArgumentException($"SparseLinear: bias of {bias.Length} values for W [{weight.Rows}, {weight.Columns}]; it needs {weight.Rows}.", nameof(bias));
        Weight = weight;
        _bias = bias.IsEmpty ? default : Tensor.FromArray(bias.ToArray(), new Shape(bias.Length));
    }

    /// <summary>The sparse weight, [Out, In].</summary>
    public SparseMatrix Weight { get; }

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

    /// <summary>The non-zero weights plus the bias.</summary>
    public long StoredParameters => Weight.NonZeros + (HasBias ? _bias.Length : 0);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The input records gradients: this layer has no backward.</exception>
    /// <exception cref="ArgumentException">The input is not [B, In].</exception>
    public override Variable Forward(Variable input)
    {
        Graph g = Graph.Of(nameof(SparseLinear), input);
        if (Graph.Records(input))
            throw new InvalidOperationException(
                "SparseLinear is forward-only (a served pruned layer); fine-tune the dense masked model instead, or run without gradients.");
        if (input.Shape.Rank != 2 || input.Shape[1] != InFeatures)
            throw new ArgumentException($"SparseLinear: input {input.Shape} should be [B, {InFeatures}].", nameof(input));
        Variable y = g.Result(new Shape(input.Shape[0], OutFeatures), false);
        g.Backend.SparseLinear(y.Data, input.Data, Weight, _bias);
        return y;
    }
}
