using System.Text.Json;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>A model read back from a file: the network, the input preprocessing it was trained with, and metadata.</summary>
/// <param name="Model">The network, in evaluation mode.</param>
/// <param name="Standardizer">The input standardisation to apply before the model, or null.</param>
/// <param name="Metadata">Free-form training metadata (stage, data, epochs, accuracy…).</param>
public sealed record SavedModel(Mlp Model, Standardizer? Standardizer, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// TinyKd's one model format (<c>.tkd</c>): a <see cref="TensorFile"/> whose JSON header holds the architecture
/// (sizes, activation, dropout), the stage, whether an input standardisation is stored (<c>Standardized</c>) and
/// free-form metadata, and whose tensors are the parameters by their state-dictionary names plus the input
/// standardisation (<c>input.mean</c>, <c>input.std</c>). Saving is atomic; loading a corrupted, truncated, foreign
/// or inconsistent file raises an error naming the file and the fault.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint Version = TensorFile.Version;

    private const string MeanTensor = "input.mean";
    private const string StdTensor = "input.std";

    /// <summary>Writes <paramref name="model"/> (and the preprocessing and metadata) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Mlp model, Standardizer? standardizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        var header = new Header
        {
            Architecture = "mlp",
            Sizes = model.Spec.Sizes,
            Activation = model.Spec.Activation.ToString(),
            Dropout = model.Spec.Dropout,
            Stage = "fp32",
            Standardized = standardizer is not null,
            Metadata = metadata?.ToDictionary() ?? [],
        };
        var tensors = model.NamedParameters().Select(np => (np.Name, np.Parameter.Data)).ToList();
        if (standardizer is not null)
        {
            tensors.Add((MeanTensor, Tensor.FromArray(standardizer.Mean, standardizer.Mean.Length)));
            tensors.Add((StdTensor, Tensor.FromArray(standardizer.Std, standardizer.Std.Length)));
        }
        TensorFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(header), tensors);
    }

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. The whole header is validated against the tensors the file holds
    /// before the network is built: the architecture is "mlp" with at least two positive sizes, the activation is
    /// exactly one known name, dropout is in [0, 1), the stage is "fp32", the sizes need exactly as many parameters as
    /// the file holds, and the standardisation is present (both <c>input.mean</c> and <c>input.std</c>, of length 1 or
    /// one per input feature) exactly when the header declares it (files without the declaration: both tensors or neither).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd model, has another version, is truncated or corrupted, or its header is inconsistent
    /// with itself or its tensors (the message names the file and the fault).
    /// </exception>
    public static SavedModel Load(string path)
    {
        var (header, tensors) = TensorFile.ReadJson<Header>(path);
        InvalidDataException Error(string what) => new($"Model file '{path}' {what}.");
        if (header.Architecture != "mlp")
            throw Error($"describes an unsupported architecture '{header.Architecture}' (TinyKd reads 'mlp')");
        if (header.Sizes is not { Length: >= 2 } sizes || Array.Exists(sizes, s => s <= 0))
            throw Error($"has layer sizes [{string.Join(", ", header.Sizes ?? [])}]; an MLP needs at least two positive sizes");
        if (header.Activation is null || !Enum.GetNames<Activation>().Contains(header.Activation, StringComparer.Ordinal))
            throw Error($"names an unknown activation '{header.Activation}'; expected one of {string.Join(", ", Enum.GetNames<Activation>())}");
        Activation activation = Enum.Parse<Activation>(header.Activation);
        if (!(header.Dropout >= 0f && header.Dropout < 1f))
            throw Error($"has dropout {header.Dropout}; dropout must be in [0, 1)");
        if (header.Stage != "fp32")
            throw Error($"has stage '{header.Stage}'; this TinyKd reads 'fp32' models");
        if (header.Metadata is { } metadata && metadata.Any(kv => kv.Value is null))
            throw Error($"has metadata '{metadata.First(kv => kv.Value is null).Key}' without a value");

        Standardizer? standardizer = ReadStandardizer(header, tensors, sizes[0], Error);
        Int128 expected = 0;
        for (int i = 0; i + 1 < sizes.Length; i++) expected += (Int128)sizes[i] * sizes[i + 1] + sizes[i + 1];
        long held = tensors.Values.Sum(t => (long)t.Length);
        if (expected != held)
            throw Error($"declares sizes {string.Join("-", sizes)}, which need {expected} parameters, but holds {held}");

        var model = new Mlp(new MlpSpec(sizes, activation, header.Dropout), new Rng(0));
        try
        {
            model.LoadStateDict(tensors);
        }
        catch (ArgumentException e)
        {
            throw Error($"does not match its own architecture {string.Join("-", sizes)}: {e.Message}");
        }
        model.Eval();
        return new SavedModel(model, standardizer, header.Metadata ?? []);
    }

    // Removes input.mean and input.std from the tensors and checks them against the header and the input width.
    private static Standardizer? ReadStandardizer(Header header, Dictionary<string, Tensor> tensors, int inputs, Func<string, InvalidDataException> error)
    {
        bool hasMean = tensors.Remove(MeanTensor, out Tensor mean);
        bool hasStd = tensors.Remove(StdTensor, out Tensor std);
        bool declared = header.Standardized ?? (hasMean || hasStd);
        if (!declared && !hasMean && !hasStd) return null;
        if (!declared)
            throw error($"holds '{(hasMean ? MeanTensor : StdTensor)}' but its header declares no input standardisation");
        if (!hasMean || !hasStd)
            throw error($"declares an input standardisation but lacks the tensor '{(hasMean ? StdTensor : MeanTensor)}'");
        if (mean.Rank != 1 || std.Shape != mean.Shape || (mean.Length != 1 && mean.Length != inputs))
            throw error($"has a standardisation of shapes {mean.Shape} and {std.Shape}; its {inputs} inputs need [1] (global) or [{inputs}] (per feature) each");
        try
        {
            return new Standardizer(mean.ToArray(), std.ToArray());
        }
        catch (ArgumentException e)
        {
            throw error($"has an invalid input standardisation: {e.Message}");
        }
    }

    private sealed class Header
    {
        public string Architecture { get; set; } = "";
        public int[]? Sizes { get; set; }
        public string Activation { get; set; } = "";
        public float Dropout { get; set; }
        public string Stage { get; set; } = "";
        public bool? Standardized { get; set; }
        public Dictionary<string, string>? Metadata { get; set; }
    }
}
