using System.Globalization;

namespace TinyKd.Distill.Models;

/// <summary>
/// The arrays of a model file as codecs read them: each is taken once, by name, with its element type and shape
/// checked, and every error names the file and the tensor. What no codec took is reported by <see cref="Leftover"/>.
/// </summary>
public sealed class LayerTensors
{
    private readonly Dictionary<string, StoredTensor> _tensors;
    private readonly string _file;

    /// <summary>Wraps the arrays of the file <paramref name="file"/> (its path, for messages).</summary>
    public LayerTensors(Dictionary<string, StoredTensor> tensors, string file)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = tensors;
        _file = file;
    }

    /// <summary>An error "Model file 'PATH' <paramref name="problem"/>." to throw.</summary>
    public InvalidDataException Error(string problem) => new($"Model file '{_file}' {problem}.");

    /// <summary>Whether the file holds <paramref name="name"/> (not yet taken).</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>Takes the float array <paramref name="name"/> of exactly the shape <paramref name="dims"/>.</summary>
    public float[] Float32(string name, params int[] dims) => Take(name, ElementType.Float32, dims).ToFloat32();

    /// <summary>Takes the int32 array <paramref name="name"/> of exactly the shape <paramref name="dims"/>.</summary>
    public int[] Int32(string name, params int[] dims) => Take(name, ElementType.Int32, dims).ToInt32();

    /// <summary>Takes the uint16 array <paramref name="name"/> of exactly the shape <paramref name="dims"/>.</summary>
    public ushort[] UInt16(string name, params int[] dims) => Take(name, ElementType.UInt16, dims).ToUInt16();

    /// <summary>Takes the int8 array <paramref name="name"/> of exactly the shape <paramref name="dims"/>.</summary>
    public sbyte[] Int8(string name, params int[] dims) => Take(name, ElementType.Int8, dims).ToInt8();

    /// <summary>Takes the uint8 array <paramref name="name"/> of exactly the shape <paramref name="dims"/>.</summary>
    public byte[] UInt8(string name, params int[] dims) => Take(name, ElementType.UInt8, dims).ToUInt8();

    /// <summary>
    /// Takes the one-dimensional array <paramref name="name"/> of <paramref name="type"/> whatever its length (for
    /// arrays whose length is only known from another array, e.g. the indices of a sparse layer); check it after.
    /// </summary>
    public StoredTensor TakeVector(string name, ElementType type)
    {
        StoredTensor t = Take(name, type, null);
        if (t.Dims.Count != 1) throw Error($"has tensor '{name}' of shape {t.ShapeText}; a vector was expected");
        return t;
    }

    /// <summary>Removes and returns <paramref name="name"/> when the file holds it (optional arrays), else null.</summary>
    public StoredTensor? TakeOptional(string name) => _tensors.Remove(name, out StoredTensor? t) ? t : null;

    /// <summary>The names no codec took (an error for the model reader).</summary>
    public IReadOnlyCollection<string> Leftover => _tensors.Keys;

    private StoredTensor Take(string name, ElementType type, int[]? dims)
    {
        if (!_tensors.Remove(name, out StoredTensor? t)) throw Error($"lacks the tensor '{name}'");
        if (t.Type != type) throw Error($"has tensor '{name}' of {t.Type} elements; {type} was expected");
        if (dims is not null && !t.Dims.SequenceEqual(dims))
            throw Error(string.Create(CultureInfo.InvariantCulture, $"has tensor '{name}' of shape {t.ShapeText}; [{string.Join(", ", dims)}] was expected"));
        return t;
    }
}
