namespace TinyKd.Autograd.Nn;

/// <summary>
/// A layer that computes y = x·Wᵀ + b, however W is stored: dense fp32 (<see cref="Linear"/>), or a compressed
/// serving form (sparse, int8) whose forward calls its own kernel. An <see cref="Mlp"/> is a chain of these with
/// activations between them, so a compressed model is still an <see cref="Mlp"/> with the same forward, file and
/// evaluation as its dense twin.
/// </summary>
public interface IAffineLayer
{
    /// <summary>The input width (W's columns).</summary>
    int InFeatures { get; }

    /// <summary>The output width (W's rows).</summary>
    int OutFeatures { get; }

    /// <summary>
    /// The numbers the layer holds for its weight and bias: every one for a dense layer, the kept (non-zero) weights
    /// plus the bias for a sparse one.
    /// </summary>
    long StoredParameters { get; }

    /// <summary>
    /// How many consecutive layers of the network it computes: 1, or more for a fused chain (e.g. int8 layers that
    /// hand each other quantized activations) that maps Sizes[i] to Sizes[i + Depth] with the activations inside.
    /// </summary>
    int Depth => 1;
}
