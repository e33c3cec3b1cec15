using System.Text.Json;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>A model read back from a file: the network, the input preprocessing it was trained with, and metadata.</summary>
/// <param name="Model">The network, in evaluation mode.</param>
/// <param name="Standardizer">The input standardisation to apply before the model, or null.</param>
/// <param name="Metadata">Free-form training metadata (stage, data, epochs, accuracy…).</param>
public sealed record SavedModel(Mlp Model, Standardizer? Standardizer, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The names of the output classes, in output order, or null when the file stores none (files before names were stored, or data without names).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}

/// <summary>
/// TinyKd's one model format (<c>.tkd</c>) for every stage — fp32, pruned (sparse), int8: a <see cref="TensorFile"/>
/// whose JSON header holds the architecture (sizes, activation, dropout), one record per affine layer (its kind —
/// dense, sparse, int8… — widths and attributes), the stage (derived from the layer kinds: "fp32" when every layer is
/// dense), whether an input standardisation is stored (<c>Standardized</c>) and free-form metadata, and whose arrays
/// are each layer's, written by its <see cref="IAffineLayerCodec"/> under the layer's index ("0.weight" for a dense
/// layer, as in PyTorch's state dictionary), plus the input standardisation (<c>input.mean</c>, <c>input.std</c>).
/// The header may also hold the class names (<c>ClassNames</c>, one per output, in output order), so that a model
/// scores a test file by the names it was trained with; files without them still load.
/// Saving is atomic; loading a corrupted, truncated, foreign or inconsistent file raises an error naming the file and
/// the fault, and loading gives back the same outputs bit for bit.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this code writes (it also reads version 1, dense models).</summary>
    public const uint Version = TensorFile.Version;

    /// <summary>The stage of a model whose layers are all dense fp32.</summary>
    public const string DenseStage = "fp32";

    private const string MeanTensor = "input.mean";
    private const string StdTensor = "input.std";

    /// <summary>The layer kinds this TinyKd reads and writes, one codec each.</summary>
    public static IReadOnlyList<IAffineLayerCodec> Codecs { get; } =
    [
        new DenseLayerCodec(),
        new SparseLayerCodec(),
        new SparseInt8LayerCodec(),
        new Int8LayerCodec(),
        new Int8ChainCodec(),
    ];

    /// <summary>The stage of a model with these layer kinds: "fp32" when all are dense, else the other kinds joined by "+".</summary>
    public static string StageOf(IEnumerable<string> kinds)
    {
        var compressed = kinds.Where(k => k != "dense").Distinct().ToList();
        return compressed.Count == 0 ? DenseStage : string.Join("+", compressed);
    }

    /// <summary>
    /// Writes <paramref name="model"/> (and the preprocessing, metadata and the names of its output classes, when
    /// given) to <paramref name="path"/> atomically.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A layer of the model has no codec, or <paramref name="classNames"/> is not one distinct non-empty name per output.
    /// </exception>
    public static void Save(string path, Mlp model, Standardizer? standardizer = null, IReadOnlyDictionary<string, string>? metadata = null,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        if (classNames is not null && ClassNamesFault(classNames, model.Spec.OutputSize) is { } fault)
            throw new ArgumentException($"'{nameof(classNames)}' {fault}.", nameof(classNames));
        var tensors = new List<StoredTensor>();
        var layers = new List<LayerHeader>();
        for (int i = 0; i < model.Count; i++)
        {
            if (model[i] is not IAffineLayer affine) continue;
            IAffineLayerCodec codec = Codecs.FirstOrDefault(c => c.CanWrite(model[i]))
                ?? throw new ArgumentException($"Layer {i} of the model ({model[i].GetType().Name}) has no model-file codec.", nameof(model));
            var attributes = codec.Write(model[i], Prefix(i), tensors);
            layers.Add(new LayerHeader { Kind = codec.Kind, In = affine.InFeatures, Out = affine.OutFeatures, Attributes = attributes.ToDictionary() });
        }
        var header = new Header
        {
            Architecture = "mlp",
            Sizes = model.Spec.Sizes,
            Activation = model.Spec.Activation.ToString(),
            Dropout = model.Spec.Dropout,
            Stage = StageOf(layers.Select(l => l.Kind)),
            Layers = layers,
            Standardized = standardizer is not null,
            Metadata = metadata?.ToDictionary() ?? [],
            ClassNames = classNames?.ToArray(),
        };
        if (standardizer is not null)
        {
            tensors.Add(StoredTensor.Float32(MeanTensor, standardizer.Mean));
            tensors.Add(StoredTensor.Float32(StdTensor, standardizer.Std));
        }
        TensorFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(header), tensors);
    }

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. The whole header is validated before the network is built: the
    /// architecture is "mlp" with at least two positive sizes, the activation is exactly one known name, dropout is in
    /// [0, 1), the layer records chain through the sizes and have known kinds, the stage is the one their kinds give,
    /// each codec finds exactly the arrays it needs (type and shape checked), no array is left over, and the
    /// standardisation is present (both <c>input.mean</c> and <c>input.std</c>, of length 1 or one per input feature)
    /// exactly when the header declares it (files without the declaration: both tensors or neither). Files without
    /// layer records (version 1) are dense.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd model, has another version, is truncated or corrupted, or its header is inconsistent
    /// with itself or its tensors (the message names the file and the fault).
    /// </exception>
    public static SavedModel Load(string path)
    {
        var (header, stored) = TensorFile.ReadStoredJson<Header>(path);
        var tensors = new LayerTensors(stored, path);
        InvalidDataException Error(string what) => tensors.Error(what);
        if (header.Architecture != "mlp")
            throw Error($"describes an unsupported architecture '{header.Architecture}' (TinyKd reads 'mlp')");
        if (header.Sizes is not { Length: >= 2 } sizes || Array.Exists(sizes, s => s <= 0))
            throw Error($"has layer sizes [{string.Join(", ", header.Sizes ?? [])}]; an MLP needs at least two positive sizes");
        if (header.Activation is null || !Enum.GetNames<Activation>().Contains(header.Activation, StringComparer.Ordinal))
            throw Error($"names an unknown activation '{header.Activation}'; expected one of {string.Join(", ", Enum.GetNames<Activation>())}");
        Activation activation = Enum.Parse<Activation>(header.Activation);
        if (!(header.Dropout >= 0f && header.Dropout < 1f))
            throw Error($"has dropout {header.Dropout}; dropout must be in [0, 1)");
        if (header.Metadata is { } metadata && metadata.Any(kv => kv.Value is null))
            throw Error($"has metadata '{metadata.First(kv => kv.Value is null).Key}' without a value");
        List<LayerHeader> records = header.Layers
            ?? [.. sizes.Skip(1).Select((o, i) => new LayerHeader { Kind = "dense", In = sizes[i], Out = o, Attributes = [] })];
        if (records.Any(r => r is null))
            throw Error("has an empty layer record");
        string stage = StageOf(records.Select(r => r.Kind));
        if (header.Stage != stage)
            throw Error($"has stage '{header.Stage}', but its layers ({string.Join(", ", records.Select(r => r.Kind))}) make it '{stage}'");

        if (header.ClassNames is { } names && ClassNamesFault(names, sizes[^1]) is { } namesFault)
            throw Error($"has class names that do not fit its {sizes[^1]} outputs: they {namesFault}");
        Standardizer? standardizer = ReadStandardizer(header, tensors, sizes[0]);
        var spec = new MlpSpec(sizes, activation, header.Dropout);
        var layers = new List<Layer>(records.Count);
        int at = 0, index = 0;
        foreach (LayerHeader record in records)
        {
            if (at + 1 >= sizes.Length || record.In != sizes[at])
                throw Error($"has a {record.Kind} layer record {record.In}→{record.Out} where sizes {spec} need a layer from width {(at + 1 < sizes.Length ? sizes[at] : sizes[^1])}{(at + 1 < sizes.Length ? "" : " (no layer is left)")}");
            IAffineLayerCodec codec = Codecs.FirstOrDefault(c => c.Kind == record.Kind)
                ?? throw Error($"has a layer of unknown kind '{record.Kind}'; this TinyKd reads {string.Join(", ", Codecs.Select(c => c.Kind))}");
            var layer = codec.Read(new LayerRecord(record.Kind, record.In, record.Out, record.Attributes ?? []), Prefix(index), tensors);
            var affine = (IAffineLayer)layer;
            at += affine.Depth;
            if (affine.InFeatures != record.In || affine.OutFeatures != record.Out || at >= sizes.Length || sizes[at] != record.Out)
                throw Error($"has a {record.Kind} layer record {record.In}→{record.Out} that does not chain through sizes {spec}");
            layers.Add(layer);
            index += at + 1 == sizes.Length ? 1 : header.Dropout > 0f ? 3 : 2;
        }
        if (at + 1 != sizes.Length)
            throw Error($"declares sizes {spec} but its {records.Count} layer record(s) end at width {sizes[at]}");
        if (tensors.Leftover.Count > 0)
            throw Error($"holds tensors its layers do not use: {string.Join(", ", tensors.Leftover.Take(5))}");
        var model = new Mlp(spec, layers);
        model.Eval();
        return new SavedModel(model, standardizer, header.Metadata ?? []) { ClassNames = header.ClassNames };
    }

    // Why a list of class names does not fit a model with `outputs` outputs (finishes "the names …"), or null when it fits.
    private static string? ClassNamesFault(IReadOnlyList<string?> names, int outputs)
    {
        if (names.Count != outputs) return $"hold {names.Count} names for {outputs} outputs";
        if (names.Any(string.IsNullOrEmpty)) return "hold an empty name";
        string? twice = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        return twice is null ? null : $"name '{twice}' twice";
    }

    private static string Prefix(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";

    // Takes input.mean and input.std and checks them against the header and the input width.
    private static Standardizer? ReadStandardizer(Header header, LayerTensors tensors, int inputs)
    {
        StoredTensor? mean = tensors.TakeOptional(MeanTensor), std = tensors.TakeOptional(StdTensor);
        bool declared = header.Standardized ?? (mean is not null || std is not null);
        if (!declared && mean is null && std is null) return null;
        if (!declared)
            throw tensors.Error($"holds '{(mean is not null ? MeanTensor : StdTensor)}' but its header declares no input standardisation");
        if (mean is null || std is null)
            throw tensors.Error($"declares an input standardisation but lacks the tensor '{(mean is not null ? StdTensor : MeanTensor)}'");
        if (mean.Type != ElementType.Float32 || std.Type != ElementType.Float32 || mean.Dims.Count != 1
            || !std.Dims.SequenceEqual(mean.Dims) || (mean.Length != 1 && mean.Length != inputs))
            throw tensors.Error($"has a standardisation of shapes {mean.ShapeText} and {std.ShapeText}; its {inputs} inputs need float [1] (global) or [{inputs}] (per feature) each");
        try
        {
            return new Standardizer(mean.ToFloat32(), std.ToFloat32());
        }
        catch (ArgumentException e)
        {
            throw tensors.Error($"has an invalid input standardisation: {e.Message}");
        }
    }

    private sealed class Header
    {
        public string Architecture { get; set; } = "";
        public int[]? Sizes { get; set; }
        public string Activation { get; set; } = "";
        public float Dropout { get; set; }
        public string Stage { get; set; } = "";
        public List<LayerHeader>? Layers { get; set; }
        public bool? Standardized { get; set; }
        public Dictionary<string, string>? Metadata { get; set; }
        public string[]? ClassNames { get; set; }
    }

    private sealed class LayerHeader
    {
        public string Kind { get; set; } = "";
        public int In { get; set; }
        public int Out { get; set; }
        public Dictionary<string, string>? Attributes { get; set; }
    }
}
