using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TinyKd.Distill.Models;

namespace TinyKd.Distill.Interop;

/// <summary>The tensors and the <c>__metadata__</c> of a <c>.safetensors</c> file.</summary>
/// <param name="Tensors">The tensors by name, each float32 (F16, BF16 and F64 files are converted on reading).</param>
/// <param name="Metadata">The free-form string metadata (empty when the file has none).</param>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, StoredTensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The <c>.safetensors</c> format of Hugging Face's safetensors library, which PyTorch users save state
/// dictionaries in: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {str: str}}</c>,
/// offsets counted from the first byte after the header), then the data, row-major and little-endian.
/// <para>
/// Writing follows the reference implementation: tensors in ordinal name order, their data contiguous in that order,
/// the header padded with spaces to a multiple of 8 bytes; float32 only. Reading is strict and checks everything
/// before it trusts it: the header length against the file (and a 100 MB cap) before allocating, duplicate JSON keys
/// at any level, each entry's fields, the dtype, the shape against the byte count, and the offsets — in range, not
/// overlapping, and covering the data section exactly, with no gap and nothing after the last tensor (the reference
/// reader's rule, which every file it writes obeys). Float32 tensors are read as they are; F16, BF16 and F64 are
/// converted to float32 (F64 rounds to nearest); any other dtype is refused. Fields other than dtype, shape and
/// data_offsets in a tensor entry are ignored, as the reference reader ignores them.
/// </para>
/// Every fault is an <see cref="InvalidDataException"/> whose message names the file and, where there is one, the tensor.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>The largest header this reader accepts (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="tensors"/> (float32, distinct non-empty names) and <paramref name="metadata"/> to
    /// <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is not float32, a name is empty, repeated or "__metadata__".</exception>
    public static void Write(string path, IEnumerable<StoredTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            StoredTensor t = sorted[i];
            if (t.Type != ElementType.Float32)
                throw new ArgumentException($"Tensor '{t.Name}' holds {t.Type} elements; TinyKd writes float32 (F32) safetensors only.", nameof(tensors));
            if (t.Name == MetadataKey)
                throw new ArgumentException($"A tensor cannot be named '{MetadataKey}'; the format reserves it.", nameof(tensors));
            if (i > 0 && sorted[i - 1].Name == t.Name)
                throw new ArgumentException($"Two tensors are named '{t.Name}'.", nameof(tensors));
        }

        byte[] header = Header(sorted, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (StoredTensor t in sorted) stream.Write(t.Bytes.Span);
        });
    }

    // The JSON header, padded with spaces to a multiple of 8 bytes so that the data starts aligned.
    private static byte[] Header(IReadOnlyList<StoredTensor> sorted, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (StoredTensor t in sorted)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Dims) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += t.Bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Reads and checks a <c>.safetensors</c> file (see the class summary for what is checked).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file breaks the format; the message names the file and the tensor.</exception>
    public static SafeTensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        InvalidDataException Error(string problem) => new($"Safetensors file '{path}' {problem}.");

        long fileLength = stream.Length;
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) != 8)
            throw Error($"is {fileLength} bytes long, too short for the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw Error($"declares a header of {headerLength} bytes, beyond the {fileLength - 8} bytes after the header length");
        if (headerLength > MaxHeaderBytes)
            throw Error($"declares a header of {headerLength} bytes, above the {MaxHeaderBytes} bytes this reader accepts");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;

        var entries = ParseHeader(header, Error, out Dictionary<string, string> metadata);
        CheckOffsets(entries, dataLength, Error);

        var tensors = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (Entry e in entries.OrderBy(e => e.Begin))
        {
            var bytes = new byte[e.End - e.Begin];
            stream.ReadExactly(bytes);
            tensors.Add(e.Name, ToFloat32(e, bytes));
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    private sealed record Entry(string Name, string DType, int ElementSize, int[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(byte[] header, Func<string, InvalidDataException> error, out Dictionary<string, string> metadata)
    {
        JsonDocument document;
        try
        {
            RejectDuplicateKeys(header, error);
            document = JsonDocument.Parse(header);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw error($"has a header that is not valid UTF-8 JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw error($"has a header that is a JSON {document.RootElement.ValueKind}, not an object");
            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw error($"has '{MetadataKey}' that is a JSON {property.Value.ValueKind}, not an object of strings");
                    foreach (JsonProperty m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw error($"has metadata '{m.Name}' whose value is a JSON {m.Value.ValueKind}, not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(property, error));
            }
            return entries;
        }
    }

    private static Entry ParseEntry(JsonProperty property, Func<string, InvalidDataException> error)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw error($"has tensor '{name}' described by a JSON {value.ValueKind}, not an object with dtype, shape and data_offsets");
        JsonElement Field(string field) => value.TryGetProperty(field, out JsonElement f)
            ? f
            : throw error($"has tensor '{name}' without '{field}'");

        JsonElement dtype = Field("dtype");
        if (dtype.ValueKind != JsonValueKind.String)
            throw error($"has tensor '{name}' whose dtype is a JSON {dtype.ValueKind}, not a string");
        string type = dtype.GetString()!;
        int size = type switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            "F64" => 8,
            _ => throw error($"has tensor '{name}' of dtype '{type}'; TinyKd reads F32 (and converts F16, BF16 and F64)"),
        };

        JsonElement shape = Field("shape");
        if (shape.ValueKind != JsonValueKind.Array)
            throw error($"has tensor '{name}' whose shape is a JSON {shape.ValueKind}, not an array");
        var dims = new List<int>();
        foreach (JsonElement d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw error($"has tensor '{name}' with shape {shape.GetRawText()}; dimensions must be integers in [0, {int.MaxValue}]");
            dims.Add(dim);
        }

        JsonElement offsets = Field("data_offsets");
        long[] range = offsets.ValueKind == JsonValueKind.Array && offsets.GetArrayLength() == 2
            ? [.. offsets.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long v) && v >= 0 ? v : -1)]
            : [-1, -1];
        if (range[0] < 0 || range[1] < 0 || range[1] < range[0])
            throw error($"has tensor '{name}' with data_offsets {offsets.GetRawText()}; expected [begin, end] with 0 <= begin <= end");

        // Stop multiplying once the count exceeds the bytes: below that, Int128 cannot overflow (2^63 · 2^31).
        long bytes = range[1] - range[0];
        Int128 elements = dims.Contains(0) ? 0 : 1;
        foreach (int d in dims)
        {
            if (elements > bytes) break;
            elements *= d;
        }
        if (elements * size != bytes)
            throw error($"has tensor '{name}' of shape [{string.Join(", ", dims)}] and dtype {type}, which needs "
                + (elements > bytes ? $"more than {bytes}" : (elements * size).ToString(CultureInfo.InvariantCulture))
                + $" bytes, but its data_offsets [{range[0]}, {range[1]}] hold {bytes}");
        return new Entry(name, type, size, [.. dims], range[0], range[1]);
    }

    // Sorted by their start, the tensors must tile [0, dataLength) exactly: each begins where the one before ends.
    private static void CheckOffsets(List<Entry> entries, long dataLength, Func<string, InvalidDataException> error)
    {
        foreach (Entry e in entries)
            if (e.End > dataLength)
                throw error($"has tensor '{e.Name}' with data_offsets [{e.Begin}, {e.End}], beyond the {dataLength} bytes of data");
        long at = 0;
        Entry? previous = null;
        foreach (Entry e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < at)
                throw error($"has tensor '{e.Name}' at bytes [{e.Begin}, {e.End}), overlapping tensor '{previous!.Name}' at [{previous.Begin}, {previous.End})");
            if (e.Begin > at)
                throw error($"leaves bytes [{at}, {e.Begin}) of the data unused before tensor '{e.Name}'");
            at = e.End;
            previous = e;
        }
        if (at != dataLength)
            throw error($"has {dataLength - at} bytes of data after {(previous is null ? "the header (it holds no tensor)" : $"the last tensor '{previous.Name}'")}");
    }

    // JsonDocument keeps the last of two equal keys silently; walk the tokens and refuse any repeated key.
    private static void RejectDuplicateKeys(byte[] header, Func<string, InvalidDataException> error)
    {
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var scopes = new Stack<(HashSet<string>? Keys, string Path)>();
        string? pendingKey = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    scopes.Push((new HashSet<string>(StringComparer.Ordinal), pendingKey ?? ""));
                    pendingKey = null;
                    break;
                case JsonTokenType.StartArray:
                    scopes.Push((null, pendingKey ?? ""));
                    pendingKey = null;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    scopes.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    string key = reader.GetString()!;
                    var (keys, path) = scopes.Peek();
                    if (!keys!.Add(key))
                        throw error(scopes.Count > 1 ? $"repeats the key '{key}' in the header entry of {(path == MetadataKey ? MetadataKey : $"tensor '{path}'")}"
                            : key == MetadataKey ? $"has two '{MetadataKey}' entries in its header"
                            : $"names tensor '{key}' twice in its header");
                    pendingKey = scopes.Count == 1 ? key : path;
                    break;
                default:
                    pendingKey = null;
                    break;
            }
        }
    }

    private static StoredTensor ToFloat32(Entry e, byte[] bytes)
    {
        if (e.DType == "F32" && BitConverter.IsLittleEndian) return StoredTensor.FromFile(e.Name, e.Shape, ElementType.Float32, bytes);
        int count = bytes.Length / e.ElementSize;
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> b = bytes.AsSpan(i * e.ElementSize, e.ElementSize);
            values[i] = e.DType switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(b),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
            };
        }
        byte[] converted = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < converted.Length; i += 4) converted.AsSpan(i, 4).Reverse();
        return StoredTensor.FromFile(e.Name, e.Shape, ElementType.Float32, converted);
    }
}
