using System.Text;
using System.Text.Json.Nodes;

namespace TinyKd.Tests.Fuzz;

/// <summary>
/// Mutations that reach past a TinyKd file's (<c>.tkd</c>, checkpoint) checksum: edits of its JSON header (a field removed, set to
/// null, to an extreme number or to a wrong string; an array element changed, added or removed), each followed by a
/// correct CRC-32, so that the readers' header validation is exercised and not only the checksum.
/// </summary>
internal static class TkdMutations
{
    private static readonly JsonNode?[] ExtremeValues =
    [
        null, 0, -1, 1, int.MaxValue, int.MinValue, int.MaxValue - 55, 30_000, 1.5, -0.5, 1e30, "", "Relu,Tanh", "1", "fp16", "x",
        new JsonArray(), new JsonObject(), true,
    ];

    /// <summary>Rewrites the stored checksum so that it matches the bytes before it (when the file is long enough).</summary>
    public static Mutations.Mutation Reseal { get; } = new("reseal the checksum", (_, b) => TkdContainer.Sealed(b));

    /// <summary>Changes one field of the JSON header and reseals the file.</summary>
    public static Mutations.Mutation EditHeader { get; } = new("edit a header field", EditHeaderField);

    private static byte[] EditHeaderField(Random rng, byte[] input)
    {
        byte[]? old = TkdContainer.Header(input);
        if (old is null || !System.Text.Unicode.Utf8.IsValid(old)) return input;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(old);
        }
        catch (System.Text.Json.JsonException)
        {
            return input;
        }
        if (root is null) return input;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        if (slots.Count == 0) return input;
        var (parent, key) = slots[rng.Next(slots.Count)];
        JsonNode? value = ExtremeValues[rng.Next(ExtremeValues.Length)]?.DeepClone();
        switch (parent, key, rng.Next(3))
        {
            case (JsonObject o, string name, 0):
                o.Remove(name);
                break;
            case (JsonObject o, string name, _):
                o[name] = value;
                break;
            case (JsonArray a, int i, 0):
                a.RemoveAt(i);
                break;
            case (JsonArray a, int i, 1):
                a.Insert(i, value);
                break;
            case (JsonArray a, int i, _):
                a[i] = value;
                break;
        }
        return TkdContainer.WithHeader(input, Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    // Every property of every object and every element of every array, so nested fields (a checkpoint's State,
    // its History entries) are edited as often as top-level ones.
    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    slots.Add((o, name));
                    if (child is not null) Collect(child, slots);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    slots.Add((a, i));
                    if (a[i] is { } child) Collect(child, slots);
                }
                break;
        }
    }
}
