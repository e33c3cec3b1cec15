using System.Buffers.Binary;
using System.Text;
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
/// TinyKd's one model format (<c>.tkd</c>), little-endian:
/// <code>
/// "TKDM"  u32 version  u32 headerLength  header (UTF-8 JSON: architecture, stage, metadata)
/// u32 tensorCount  { u16 nameLength  name  u8 rank  i32 dims[rank]  f32 data[∏dims] }*
/// u32 CRC-32 of every byte before it
/// </code>
/// Saving writes a temporary file beside the target and renames it over the target, so a crash never leaves a
/// torn model. Loading checks the magic, version, checksum and every length, and names the file in every error.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "TKDM"u8;
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
        byte[] bytes = Serialize(header, tensors);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd model, has another version, is truncated or corrupted (the message names the file and the fault).
    /// </exception>
    public static SavedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        var reader = new ModelReader(bytes, path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw reader.Error("is not a TinyKd model file (its first bytes are not \"TKDM\")");
        if (bytes.Length < 16) throw reader.Error($"is truncated ({bytes.Length} bytes)");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
        uint actual = Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4));
        reader.Skip(Magic.Length);
        uint version = reader.U32();
        if (version != Version) throw reader.Error($"has format version {version}; this TinyKd reads version {Version}");
        if (stored != actual) throw reader.Error($"is corrupted or truncated: checksum 0x{actual:X8} does not match the stored 0x{stored:X8}");

        Header header = JsonSerializer.Deserialize<Header>(reader.Bytes((int)reader.U32()))
            ?? throw reader.Error("has an empty header");
        if (header.Architecture != "mlp" || header.Sizes is not { Length: >= 2 })
            throw reader.Error($"describes an unsupported architecture '{header.Architecture}'");
        if (!Enum.TryParse(header.Activation, out Activation activation))
            throw reader.Error($"names an unknown activation '{header.Activation}'");

        var tensors = new Dictionary<string, Tensor>();
        uint count = reader.U32();
        for (uint i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(reader.Bytes(reader.U16()));
            int rank = reader.Bytes(1)[0];
            if (rank > Shape.MaxRank) throw reader.Error($"tensor '{name}' has rank {rank}");
            var dims = new int[rank];
            for (int d = 0; d < rank; d++) dims[d] = reader.I32();
            var shape = new Shape(dims);
            var data = new float[shape.Length];
            ReadOnlySpan<byte> raw = reader.Bytes(checked(shape.Length * 4));
            for (int k = 0; k < data.Length; k++) data[k] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(k * 4, 4));
            tensors[name] = Tensor.FromArray(data, shape);
        }
        if (reader.Remaining != 4) throw reader.Error($"has {reader.Remaining - 4} unexpected bytes after its tensors");

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
            throw reader.Error($"does not match its own architecture {string.Join("-", header.Sizes)}: {e.Message}");
        }
        model.Eval();
        return new SavedModel(model, standardizer, header.Metadata ?? []);
    }

    private static byte[] Serialize(Header header, List<(string Name, Tensor Data)> tensors)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
            w.Write((uint)json.Length);
            w.Write(json);
            w.Write((uint)tensors.Count);
            foreach (var (name, data) in tensors)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(name);
                w.Write((ushort)nameBytes.Length);
                w.Write(nameBytes);
                w.Write((byte)data.Rank);
                for (int d = 0; d < data.Rank; d++) w.Write(data.Shape[d]);
                foreach (float v in data.ToArray()) w.Write(v);
            }
        }
        uint crc = Crc32.Compute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crcBytes, crc);
        buffer.Write(crcBytes);
        return buffer.ToArray();
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

    // Bounds-checked little-endian reads that name the file when it ends early.
    private sealed class ModelReader(byte[] bytes, string path)
    {
        private int _position;

        public int Remaining => bytes.Length - _position;

        public void Skip(int n) => Bytes(n);

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public ReadOnlySpan<byte> Bytes(int n)
        {
            if (n < 0 || n > Remaining - 4) throw Error($"is truncated: needs {n} more bytes at offset {_position}");
            var span = bytes.AsSpan(_position, n);
            _position += n;
            return span;
        }

        public InvalidDataException Error(string what) => new($"Model file '{path}' {what}.");
    }
}
