using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Models;

namespace TinyKd.Distill.Interop;

/// <summary>Where an imported MLP's activation came from (PyTorch's state dictionary does not record it).</summary>
public enum ActivationSource
{
    /// <summary>Given by the caller (<c>--activation</c>).</summary>
    Given,
    /// <summary>The file's <c>tinykd.activation</c> metadata (a file TinyKd exported).</summary>
    Metadata,
    /// <summary>Neither: ReLU.</summary>
    Default,
}

/// <summary>What <see cref="SafeTensorsImport.Load"/> read, and where the settings PyTorch does not store came from.</summary>
/// <param name="Imported">The network, its standardisation and its layers' indices in the file.</param>
/// <param name="Activation">The hidden activation used.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="DropoutRecorded">True when a dropout probability was given or read from the file's metadata.</param>
public sealed record SafeTensorsImportResult(ImportedMlp Imported, Activation Activation, ActivationSource Source, bool DropoutRecorded);

/// <summary>
/// Loads a PyTorch MLP saved as <c>.safetensors</c> the way <c>tinykd import</c> does: the widths from the given
/// sizes or the weights' shapes, the activation and dropout from the arguments, else from the file's <c>tinykd.*</c>
/// metadata (a file TinyKd exported), else ReLU and no dropout — PyTorch's state dictionary records neither. So a
/// teacher trained in PyTorch can be handed to <c>tinykd distill --teacher teacher.safetensors</c> directly.
/// </summary>
public static class SafeTensorsImport
{
    /// <summary>The file extension that marks a safetensors model.</summary>
    public const string Extension = ".safetensors";

    /// <summary>True when <paramref name="path"/> names a <c>.safetensors</c> file (by extension, case-insensitive).</summary>
    public static bool IsSafeTensors(string path) => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and builds the MLP in <paramref name="path"/>.</summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="sizes">The expected widths, or null to infer them from the weights.</param>
    /// <param name="activationName">The activation's name (<see cref="SafeTensorsModel.ActivationNames"/>), or null to use the file's metadata or ReLU.</param>
    /// <param name="dropout">The dropout to record, or null to use the file's metadata or 0.</param>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors MLP, or its metadata names an unknown
    /// activation or a dropout outside [0, 1); the message names the file.</exception>
    public static SafeTensorsImportResult Load(string path, int[]? sizes = null, string? activationName = null, float? dropout = null)
    {
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        ActivationSource source = activationName is null ? ActivationSource.Default : ActivationSource.Given;
        if (activationName is null && content.Metadata.TryGetValue(SafeTensorsModel.ActivationKey, out string? stored))
        {
            if (!SafeTensorsModel.ActivationNames.ContainsKey(stored))
                throw new InvalidDataException($"Safetensors file '{path}' has metadata {SafeTensorsModel.ActivationKey} '{stored}'; expected one of {string.Join(", ", SafeTensorsModel.ActivationNames.Keys)}");
            (activationName, source) = (stored, ActivationSource.Metadata);
        }
        if (dropout is null && content.Metadata.TryGetValue(SafeTensorsModel.DropoutKey, out string? storedDropout))
        {
            if (!float.TryParse(storedDropout, NumberStyles.Float, CultureInfo.InvariantCulture, out float p) || !(p >= 0f && p < 1f))
                throw new InvalidDataException($"Safetensors file '{path}' has metadata {SafeTensorsModel.DropoutKey} '{storedDropout}'; expected a number in [0, 1)");
            dropout = p;
        }
        if (activationName is not null && !SafeTensorsModel.ActivationNames.ContainsKey(activationName))
            throw new ArgumentException($"Unknown activation '{activationName}'; expected one of {string.Join(", ", SafeTensorsModel.ActivationNames.Keys)}.", nameof(activationName));
        Activation activation = SafeTensorsModel.ActivationNames[activationName ?? "relu"];
        ImportedMlp imported = SafeTensorsModel.Import(content, path, sizes, activation, dropout ?? 0f);
        return new SafeTensorsImportResult(imported, activation, source, dropout is not null);
    }

    /// <summary>
    /// A model file of either format: a <c>.safetensors</c> MLP (through <see cref="Load"/>, metadata stage "imported")
    /// or TinyKd's own <c>.tkd</c> (<see cref="ModelFile.Load"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged or not a model; the message names it.</exception>
    public static SavedModel LoadModel(string path)
    {
        if (!IsSafeTensors(path)) return ModelFile.Load(path);
        ImportedMlp imported = Load(path).Imported;
        return new SavedModel(imported.Model, imported.Standardizer, new Dictionary<string, string>
        {
            ["stage"] = "imported",
            ["imported_from"] = path,
        });
    }
}
