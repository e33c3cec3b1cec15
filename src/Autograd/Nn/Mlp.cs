using System.Globalization;
using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// The architecture of a multi-layer perceptron: layer widths ("784-1200-1200-10"), the hidden activation and the
/// dropout probability after each hidden activation.
/// </summary>
/// <param name="Sizes">Input width, hidden widths, output width (at least two numbers).</param>
/// <param name="Activation">The activation after each hidden layer.</param>
/// <param name="Dropout">Dropout probability after each hidden activation (0 for none).</param>
public sealed record MlpSpec(int[] Sizes, Activation Activation = Activation.Relu, float Dropout = 0f)
{
    /// <summary>Parses "784-1200-1200-10" (widths separated by '-').</summary>
    /// <exception cref="ArgumentException">Fewer than two widths, or a width that is not a positive integer.</exception>
    public static MlpSpec Parse(string sizes, Activation activation = Activation.Relu, float dropout = 0f)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        string[] parts = sizes.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length < 2)
            throw new ArgumentException($"MLP '{sizes}' needs at least an input and an output width, e.g. 784-128-10.", nameof(sizes));
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new ArgumentException($"MLP '{sizes}': '{parts[i]}' is not a positive integer width.", nameof(sizes));
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"Dropout must be in [0, 1); got {dropout}.");
        return new MlpSpec(widths, activation, dropout);
    }

    /// <summary>The input width.</summary>
    public int InputSize => Sizes[0];

    /// <summary>The output width (classes).</summary>
    public int OutputSize => Sizes[^1];

    /// <summary>The widths joined by '-'.</summary>
    public override string ToString() => string.Join("-", Sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>A multi-layer perceptron: Linear → activation → [Dropout] … → Linear (logits).</summary>
public sealed class Mlp : Sequential
{
    /// <summary>Builds the network; weights come from <paramref name="rng"/>, dropout masks from its next draw.</summary>
    public Mlp(MlpSpec spec, Rng rng) : base(Build(spec, rng)) => Spec = spec;

    /// <summary>
    /// The network of <paramref name="spec"/> around given affine layers — how a compressed model (sparse, int8) is
    /// built from its dense twin: the activations and dropout sit where <see cref="Mlp(MlpSpec, Rng)"/> puts them, so
    /// every affine layer keeps its dense twin's index ("0", "2", …). Each layer normally maps Sizes[i] → Sizes[i+1];
    /// a fused chain of <see cref="IAffineLayer.Depth"/> layers maps Sizes[i] → Sizes[i + Depth], with nothing inserted inside it.
    /// </summary>
    /// <exception cref="ArgumentException">A layer is not an <see cref="IAffineLayer"/>, or the layers' widths do not
    /// chain through the spec's sizes from the first to the last.</exception>
    public Mlp(MlpSpec spec, IReadOnlyList<Layer> affineLayers) : base(Assemble(spec, affineLayers)) => Spec = spec;

    /// <summary>The architecture.</summary>
    public MlpSpec Spec { get; }

    /// <summary>
    /// The logits, and in <paramref name="hidden"/> the output of hidden layer <paramref name="hiddenLayer"/> (1-based:
    /// 1 is the first hidden layer) after its activation and before dropout — the "hint" of FitNets.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The network has no such hidden layer.</exception>
    public Variable Forward(Variable input, int hiddenLayer, out Variable hidden)
    {
        int hiddenLayers = Spec.Sizes.Length - 2;
        if (hiddenLayer < 1 || hiddenLayer > hiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(hiddenLayer),
                $"MLP {Spec} has {hiddenLayers} hidden layer(s); hidden layer {hiddenLayer} does not exist (they are numbered from 1).");
        Variable x = input;
        hidden = default!;
        int linearSeen = 0;
        for (int i = 0; i < Count; i++)
        {
            int first = i;
            i = Apply(i, ref x);
            if (this[first] is IAffineLayer) linearSeen++;
            if (this[i] is not IAffineLayer and not Dropout && linearSeen == hiddenLayer) hidden = x;
        }
        return x;
    }

    /// <summary>The width of hidden layer <paramref name="hiddenLayer"/> (1-based).</summary>
    public int HiddenWidth(int hiddenLayer) => hiddenLayer >= 1 && hiddenLayer <= Spec.Sizes.Length - 2
        ? Spec.Sizes[hiddenLayer]
        : throw new ArgumentOutOfRangeException(nameof(hiddenLayer), $"MLP {Spec} has no hidden layer {hiddenLayer} (they are numbered from 1).");

    /// <summary>The affine layers (dense <see cref="Linear"/> or compressed), input to output.</summary>
    public IReadOnlyList<Layer> AffineLayers
    {
        get
        {
            var layers = new List<Layer>();
            for (int i = 0; i < Count; i++)
                if (this[i] is IAffineLayer) layers.Add(this[i]);
            return layers;
        }
    }

    /// <summary>The numbers the affine layers hold (see <see cref="IAffineLayer.StoredParameters"/>): for a dense
    /// model, <see cref="Module.ParameterCount"/>; for a sparse one, only the kept weights and the biases.</summary>
    public long StoredParameterCount() => AffineLayers.Sum(l => ((IAffineLayer)l).StoredParameters);

    private static Layer[] Assemble(MlpSpec spec, IReadOnlyList<Layer> affineLayers)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(affineLayers);
        int[] s = spec.Sizes;
        var layers = new List<Layer>();
        int at = 0; // index into the sizes of the current layer's input width
        foreach (Layer layer in affineLayers)
        {
            if (layer is not IAffineLayer affine)
                throw new ArgumentException($"MLP {spec}: layer {layers.Count} ({layer.GetType().Name}) is not an affine layer.", nameof(affineLayers));
            int end = at + affine.Depth;
            if (affine.Depth < 1 || end >= s.Length || affine.InFeatures != s[at] || affine.OutFeatures != s[end])
                throw new ArgumentException(
                    $"MLP {spec}: a {affine.InFeatures}→{affine.OutFeatures} layer does not fit after width {s[Math.Min(at, s.Length - 1)]} (position {at}).", nameof(affineLayers));
            layers.Add(layer);
            at = end;
            if (at + 1 == s.Length) break;
            layers.Add(Activations.Create(spec.Activation));
            if (spec.Dropout > 0f) layers.Add(new Dropout(spec.Dropout, 0));
        }
        if (at + 1 != s.Length || layers.Count(l => l is IAffineLayer) != affineLayers.Count)
            throw new ArgumentException($"MLP {spec}: the {affineLayers.Count} affine layers do not chain from width {s[0]} to {s[^1]}.", nameof(affineLayers));
        return [.. layers];
    }

    private static Layer[] Build(MlpSpec spec, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        var layers = new List<Layer>();
        int[] s = spec.Sizes;
        for (int i = 0; i + 1 < s.Length; i++)
        {
            layers.Add(new Linear(s[i], s[i + 1], rng));
            if (i + 2 == s.Length) break;
            layers.Add(Activations.Create(spec.Activation));
            if (spec.Dropout > 0f) layers.Add(new Dropout(spec.Dropout, rng.NextUInt64()));
        }
        return [.. layers];
    }
}
