using System.Collections.Concurrent;
using System.Text.Json;
using TinyKd.Tensors;

namespace TinyKd.Tests.Support;

/// <summary>
/// A JSON fixture written by scripts/make_fixtures.py and copied next to the test assembly (Fixtures/NAME.json):
/// named float32 tensors ({"shape", "data"}), integer labels and the hyper-parameters they were made with.
/// </summary>
public sealed class Fixture
{
    private static readonly ConcurrentDictionary<string, Fixture> Cache = new(StringComparer.Ordinal);
    private readonly JsonElement _root;

    private Fixture(string name, string path, JsonElement root)
    {
        Name = name;
        Path = path;
        _root = root;
    }

    /// <summary>The fixture's name (its file name without ".json").</summary>
    public string Name { get; }

    /// <summary>Where it was read from.</summary>
    public string Path { get; }

    /// <summary>Loads (once per process) Fixtures/<paramref name="name"/>.json from the test output directory.</summary>
    /// <exception cref="FileNotFoundException">The file is missing; the message says how to regenerate it.</exception>
    public static Fixture Load(string name) => Cache.GetOrAdd(name, static n =>
    {
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", n + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Fixture '{n}' not found at {path}; run /usr/bin/python3 scripts/make_fixtures.py.", path);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return new Fixture(n, path, document.RootElement.Clone());
    });

    /// <summary>A fresh CPU tensor with the values and shape of tensor <paramref name="name"/> (a copy: free to mutate).</summary>
    public Tensor Get(string name)
    {
        JsonElement entry = Entry("tensors", name);
        int[] dims = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        float[] data = entry.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        if (data.Length != new Shape(dims).Length)
            throw new InvalidDataException($"{Path}: tensor '{name}' has {data.Length} values for shape [{string.Join(", ", dims)}].");
        return Tensor.FromArray(data, dims);
    }

    /// <summary>The value of the one-element tensor <paramref name="name"/> (a loss).</summary>
    public float Scalar(string name)
    {
        Tensor t = Get(name);
        if (t.Length != 1) throw new InvalidDataException($"{Path}: tensor '{name}' has shape {t.Shape}, not a scalar.");
        return t.Item();
    }

    /// <summary>The integer labels stored under <paramref name="name"/>.</summary>
    public int[] Labels(string name) => Entry("labels", name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>The numeric hyper-parameter <paramref name="name"/> of the "config" section.</summary>
    public float Number(string name) => (float)Entry("config", name).GetDouble();

    /// <summary>The boolean hyper-parameter <paramref name="name"/> of the "config" section.</summary>
    public bool Flag(string name) => Entry("config", name).GetBoolean();

    private JsonElement Entry(string section, string name) =>
        _root.TryGetProperty(section, out JsonElement s) && s.TryGetProperty(name, out JsonElement e)
            ? e
            : throw new KeyNotFoundException($"{Path}: no '{name}' in section '{section}'.");
}
