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
/// (sizes, activation, dropout), the stage and free-form metadata, and whose tensors are the parameters by their
/// state-dictionary names plus the input standardisation (<c>input.mean</c>, <c>input.std</c>). Saving is atomic;
/// loading a corrupted, truncated or foreign file raises an error naming the file and the fault.
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

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd model, has another version, is truncated or corrupted (the message names the file and the fault).
    /// </exception>
    public static SavedModel Load(string path)
    {
        var (header, tensors) = TensorFile.ReadJson<Header>(path);
        InvalidDataException Error(string what) => new($"Model file '{path}' {what}.");
        if (header.Architecture != "mlp" || header.Sizes is not { Length: >= 2 })
            throw Error($"describes an unsupported architecture '{header.Architecture}'");
        if (!Enum.TryParse(header.Activation, out Activation activation))
            throw Error($"names an unknown activation '{header.Activation}'");

        Standardizer? standardizer = null;
        if (tensors.Remove(MeanTensor, out Tensor mean) & tensors.Remove(StdTensor, out Tensor std))
            standardizer = new Standardizer(mean.ToArray(), std.ToArray());
        var model = new Mlp(new MlpSpec(header.Sizes, activation, header.Dropout), new Rng(0));
        try
        {
            model.LoadStateDict(tensors);
        }
        catch (ArgumentException e)
        {
            throw Error($"does not match its own architecture {string.Join("-", header.Sizes)}: {e.Message}");
        }
        model.Eval();
        return new SavedModel(model, standardizer, header.Metadata ?? []);
    }

    private sealed class Header
    {
        public string Architecture { get; set; } = "";
        public int[]? Sizes { get; set; }
        public string Activation { get; set; } = "";
        public float Dropout { get; set; }
        public string Stage { get; set; } = "";
        public Dictionary<string, string>? Metadata { get; set; }
    }
}
