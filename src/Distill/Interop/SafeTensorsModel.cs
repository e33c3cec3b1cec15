using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Tensors;

namespace TinyKd.Distill.Interop;

/// <summary>An MLP brought in from a <c>.safetensors</c> state dictionary, with how its layers were found.</summary>
/// <param name="Model">The network, in evaluation mode.</param>
/// <param name="Standardizer">The input standardisation stored as <c>input.mean</c>/<c>input.std</c>, or null.</param>
/// <param name="LayerNames">For each affine layer, input to output, the index N of its <c>N.weight</c> in the file.</param>
public sealed record ImportedMlp(Mlp Model, Standardizer? Standardizer, IReadOnlyList<int> LayerNames);

/// <summary>
/// A TinyKd <see cref="Mlp"/> as the state dictionary of the equivalent PyTorch <c>nn.Sequential</c>
/// (Linear, activation, [Dropout], …, Linear), and back. The names are PyTorch's: the Linear at position N of the
/// Sequential stores <c>N.weight</c> [Out, In] and <c>N.bias</c> [Out] — the layout of TinyKd's own
/// <see cref="Linear"/>, so the numbers are copied as they are — with N = 0, 2, 4, … without dropout and
/// 0, 3, 6, … with it. An input standardisation is stored as <c>input.mean</c> and <c>input.std</c> (length 1 or one per
/// input); PyTorch knows nothing of it, so its users apply <c>(x - mean) / std</c> themselves. The metadata records
/// the architecture as strings: <c>tinykd.sizes</c> ("784-128-10"), <c>tinykd.activation</c> (relu, leaky-relu,
/// tanh, sigmoid, gelu), <c>tinykd.dropout</c>, plus <c>format</c> = "pt" as PyTorch's safetensors writer does.
/// </summary>
public static class SafeTensorsModel
{
    /// <summary>The metadata key of the layer widths.</summary>
    public const string SizesKey = "tinykd.sizes";

    /// <summary>The metadata key of the hidden activation.</summary>
    public const string ActivationKey = "tinykd.activation";

    /// <summary>The metadata key of the dropout probability.</summary>
    public const string DropoutKey = "tinykd.dropout";

    private const string MeanTensor = "input.mean";
    private const string StdTensor = "input.std";

    /// <summary>The activations by the names the metadata and the command line use.</summary>
    public static IReadOnlyDictionary<string, Activation> ActivationNames { get; } = new Dictionary<string, Activation>(StringComparer.Ordinal)
    {
        ["relu"] = Activation.Relu,
        ["leaky-relu"] = Activation.LeakyRelu,
        ["tanh"] = Activation.Tanh,
        ["sigmoid"] = Activation.Sigmoid,
        ["gelu"] = Activation.Gelu,
    };

    /// <summary>The name of <paramref name="activation"/> in <see cref="ActivationNames"/>.</summary>
    public static string NameOf(Activation activation) => ActivationNames.First(kv => kv.Value == activation).Key;

    /// <summary>
    /// The state dictionary of <paramref name="model"/> (and <paramref name="standardizer"/>) under PyTorch's names.
    /// </summary>
    /// <exception cref="ArgumentException">An affine layer is not a dense <see cref="Linear"/> (convert a compressed
    /// model with <see cref="Pruning.SparseServing.DenseTwin"/> first).</exception>
    public static List<StoredTensor> StateDict(Mlp model, Standardizer? standardizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new List<StoredTensor>();
        for (int i = 0; i < model.Count; i++)
        {
            if (model[i] is not IAffineLayer) continue;
            if (model[i] is not Linear linear)
                throw new ArgumentException($"Layer {i} of MLP {model.Spec} is a {model[i].GetType().Name}; safetensors export takes dense Linear layers (export the dense twin).", nameof(model));
            string prefix = i.ToString(CultureInfo.InvariantCulture) + ".";
            tensors.Add(StoredTensor.Float32(prefix + "weight", linear.Weight.Data));
            if (linear.Bias is { } bias) tensors.Add(StoredTensor.Float32(prefix + "bias", bias.Data));
        }
        if (standardizer is not null)
        {
            tensors.Add(StoredTensor.Float32(MeanTensor, standardizer.Mean, standardizer.Mean.Length));
            tensors.Add(StoredTensor.Float32(StdTensor, standardizer.Std, standardizer.Std.Length));
        }
        return tensors;
    }

    /// <summary>The metadata <see cref="Export"/> writes for <paramref name="spec"/>.</summary>
    public static Dictionary<string, string> Metadata(MlpSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [SizesKey] = spec.ToString(),
            [ActivationKey] = NameOf(spec.Activation),
            [DropoutKey] = spec.Dropout.ToString("R", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as <c>.safetensors</c> (atomically).</summary>
    /// <exception cref="ArgumentException">An affine layer is not a dense <see cref="Linear"/>.</exception>
    public static void Export(string path, Mlp model, Standardizer? standardizer = null) =>
        SafeTensorsFile.Write(path, StateDict(model, standardizer), Metadata(model.Spec));

    /// <summary>
    /// Builds an MLP from the state dictionary of a PyTorch <c>nn.Sequential</c> MLP read from <paramref name="file"/>.
    /// The affine layers are the <c>N.weight</c> tensors (float, [Out, In]) taken in increasing N, whatever lies
    /// between them (an activation, a dropout: both index layouts are accepted); each may have an <c>N.bias</c> [Out].
    /// The widths must chain (each layer's In is the previous Out) and, when <paramref name="sizes"/> is given, be
    /// exactly those; without it they are inferred from the shapes. <c>input.mean</c>/<c>input.std</c>, when present
    /// (both), become the standardisation. Any other tensor is an error.
    /// </summary>
    /// <param name="content">What <see cref="SafeTensorsFile.Read"/> returned.</param>
    /// <param name="file">The file it came from, for the messages.</param>
    /// <param name="sizes">The expected widths, input to output, or null to infer them.</param>
    /// <param name="activation">The hidden activation (PyTorch does not store it).</param>
    /// <param name="dropout">The dropout probability recorded in the spec (it does nothing in evaluation mode).</param>
    /// <exception cref="ArgumentException"><paramref name="sizes"/> has fewer than two widths or one that is not positive.</exception>
    /// <exception cref="InvalidDataException">A tensor is missing, left over or of the wrong shape; the message names
    /// the file, the tensor and the shape expected.</exception>
    public static ImportedMlp Import(SafeTensorsContent content, string file, int[]? sizes, Activation activation, float dropout)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (sizes is not null && (sizes.Length < 2 || sizes.Any(s => s <= 0)))
            throw new ArgumentException($"An MLP needs at least two positive widths; got [{string.Join(", ", sizes)}].", nameof(sizes));
        InvalidDataException Error(string problem) => new($"Safetensors file '{file}' {problem}.");

        var weights = new SortedDictionary<int, StoredTensor>();
        var biases = new Dictionary<int, StoredTensor>();
        foreach (var (name, tensor) in content.Tensors)
        {
            if (name is MeanTensor or StdTensor) continue;
            int dot = name.IndexOf('.');
            int index = -1;
            bool layered = dot > 0 && int.TryParse(name.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out index)
                && index.ToString(CultureInfo.InvariantCulture) == name[..dot];
            string suffix = dot > 0 ? name[(dot + 1)..] : "";
            if (!layered || suffix is not ("weight" or "bias"))
                throw Error($"holds tensor '{name}', which is not a Linear layer's 'N.weight' or 'N.bias' of an nn.Sequential MLP, nor '{MeanTensor}'/'{StdTensor}'");
            if (suffix == "weight") weights[index] = tensor;
            else biases[index] = tensor;
        }
        foreach (var (index, bias) in biases)
            if (!weights.ContainsKey(index))
                throw Error($"holds tensor '{bias.Name}' without '{index}.weight'");
        if (weights.Count == 0)
            throw Error($"holds no Linear weight ('N.weight'); its tensors are {Names(content)}");

        var layers = weights.ToList();
        foreach (var (_, w) in layers)
            if (w.Dims.Count != 2 || w.Dims[0] == 0 || w.Dims[1] == 0)
                throw Error($"has tensor '{w.Name}' of shape {w.ShapeText}; a Linear weight is a matrix [Out, In] with Out, In > 0");
        int[] widths = sizes ?? [layers[0].Value.Dims[1], .. layers.Select(l => l.Value.Dims[0])];
        var linears = new List<Layer>(layers.Count);
        for (int k = 0; k < Math.Min(layers.Count, widths.Length - 1); k++)
        {
            var (index, weight) = layers[k];
            int inputs = widths[k], outputs = widths[k + 1];
            if (weight.Dims[0] != outputs || weight.Dims[1] != inputs)
                throw Error($"has tensor '{weight.Name}' of shape {weight.ShapeText}; layer {k + 1} needs [{outputs}, {inputs}] (from "
                    + (sizes is not null ? $"the sizes {string.Join("-", sizes)}" : $"'{layers[k - 1].Value.Name}' {layers[k - 1].Value.ShapeText} before it") + ")");
            biases.TryGetValue(index, out StoredTensor? bias);
            if (bias is not null && (bias.Dims.Count != 1 || bias.Dims[0] != outputs))
                throw Error($"has tensor '{bias.Name}' of shape {bias.ShapeText}; '{weight.Name}' {weight.ShapeText} needs [{outputs}]");
            var linear = new Linear(inputs, outputs, new Rng(0), bias is not null);
            weight.ToFloat32().CopyTo(linear.Weight.Data.Span);
            bias?.ToFloat32().CopyTo(linear.Bias!.Data.Span);
            linears.Add(linear);
        }

        if (layers.Count != widths.Length - 1)
        {
            if (layers.Count > widths.Length - 1)
                throw Error($"holds tensor '{layers[widths.Length - 1].Value.Name}' {layers[widths.Length - 1].Value.ShapeText} beyond the {widths.Length - 1} layer(s) of the sizes {string.Join("-", widths)}");
            int missing = layers.Count;
            throw Error($"lacks the layer {widths[missing]}→{widths[missing + 1]} of the sizes {string.Join("-", widths)}: after '{layers[^1].Value.Name}' no 'N.weight' of shape [{widths[missing + 1]}, {widths[missing]}] follows");
        }

        var spec = new MlpSpec(widths, activation, dropout);
        var model = new Mlp(spec, linears);
        model.Eval();
        return new ImportedMlp(model, ReadStandardizer(content, widths[0], Error), [.. layers.Select(l => l.Key)]);
    }

    private static Standardizer? ReadStandardizer(SafeTensorsContent content, int inputs, Func<string, InvalidDataException> error)
    {
        content.Tensors.TryGetValue(MeanTensor, out StoredTensor? mean);
        content.Tensors.TryGetValue(StdTensor, out StoredTensor? std);
        if (mean is null && std is null) return null;
        if (mean is null || std is null)
            throw error($"holds '{(mean is null ? StdTensor : MeanTensor)}' without '{(mean is null ? MeanTensor : StdTensor)}'");
        foreach (StoredTensor t in new[] { mean, std })
            if (t.Dims.Count != 1 || (t.Dims[0] != 1 && t.Dims[0] != inputs) || !t.Dims.SequenceEqual(mean.Dims))
                throw error($"has tensor '{t.Name}' of shape {t.ShapeText}; the standardisation of {inputs} inputs needs [1] or [{inputs}], the same for '{MeanTensor}' and '{StdTensor}'");
        try
        {
            return new Standardizer(mean.ToFloat32(), std.ToFloat32());
        }
        catch (ArgumentException e)
        {
            throw error($"has an invalid input standardisation in '{MeanTensor}'/'{StdTensor}': {e.Message}");
        }
    }

    private static string Names(SafeTensorsContent content) =>
        content.Tensors.Count == 0 ? "none" : string.Join(", ", content.Tensors.Keys.Order(StringComparer.Ordinal).Take(8)) + (content.Tensors.Count > 8 ? ", …" : "");
}
