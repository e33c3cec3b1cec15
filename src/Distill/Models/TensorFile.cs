using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// The container under every TinyKd file (models and checkpoints), little-endian:
/// <code>
/// "TKDM"  u32 version  u32 headerLength  header (UTF-8 JSON)
/// u32 tensorCount  { u16 nameLength  name  u8 rank  i32 dims[rank]  f32 data[∏dims] }*
/// u32 CRC-32 of every byte before it
/// </code>
/// Writing goes through <see cref="AtomicFile"/>, so a crash (even kill -9) leaves either the old file or the new
/// one, never a torn one. Reading checks the magic, the
/// version, the checksum and every length, and names the file in every error.
/// </summary>
public static class TensorFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "TKDM"u8;

    /// <summary>Writes <paramref name="header"/> (UTF-8 JSON) and the named tensors to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">A tensor name is longer than 65,535 UTF-8 bytes.</exception>
    public static void Write(string path, ReadOnlySpan<byte> header, IEnumerable<(string Name, Tensor Data)> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        byte[] bytes = Serialize(header, tensors.ToList());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/> whose header is the JSON of <typeparamref name="THeader"/>: the
    /// header deserialised and the tensors. The errors of <see cref="Read"/>, plus an empty or unreadable header, name the file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>, or the header is not that JSON.</exception>
    public static (THeader Header, Dictionary<string, Tensor> Tensors) ReadJson<THeader>(string path, string what = "Model file")
        where THeader : class
    {
        var (bytes, tensors) = Read(path, what);
        try
        {
            THeader header = JsonSerializer.Deserialize<THeader>(bytes)
                ?? throw new InvalidDataException($"{what} '{path}' has an empty header.");
            return (header, tensors);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} '{path}' has an unreadable header ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/>: its JSON header and its tensors (CPU, in file order). Every length
    /// and shape is checked against the bytes the file holds before anything is allocated for it, so no header can
    /// make the reader allocate more than the file's size.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages ("Model file", "Checkpoint").</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd file, has another version, is truncated or corrupted (the message names the file and the fault).
    /// </exception>
    public static (byte[] Header, Dictionary<string, Tensor> Tensors) Read(string path, string what = "Model file")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        var reader = new Reader(bytes, $"{what} '{path}'");
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw reader.Error($"is not a TinyKd {what.ToLowerInvariant()} (its first bytes are not \"TKDM\")");
        if (bytes.Length < 16) throw reader.Error($"is truncated ({bytes.Length} bytes)");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
        uint actual = Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4));
        reader.Skip(Magic.Length);
        uint version = reader.U32();
        if (version != Version) throw reader.Error($"has format version {version}; this TinyKd reads version {Version}");
        if (stored != actual) throw reader.Error($"is corrupted or truncated: checksum 0x{actual:X8} does not match the stored 0x{stored:X8}");

        byte[] header = reader.Bytes((int)reader.U32()).ToArray();
        var tensors = new Dictionary<string, Tensor>();
        uint count = reader.U32();
        for (uint i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(reader.Bytes(reader.U16()));
            int rank = reader.Bytes(1)[0];
            if (rank > Shape.MaxRank) throw reader.Error($"tensor '{name}' has rank {rank}; TinyKd tensors have at most {Shape.MaxRank} dimensions");
            var dims = new int[rank];
            for (int d = 0; d < rank; d++) dims[d] = reader.I32();
            if (dims.Any(d => d < 0)) throw reader.Error($"tensor '{name}' has a negative dimension ({string.Join("×", dims)})");
            Int128 elements = 1;
            foreach (int d in dims) elements *= d;
            if (4 * elements > reader.Remaining - 4)
                throw reader.Error(
                    $"is truncated or corrupted: tensor '{name}' of shape [{string.Join(", ", dims)}] needs {4 * elements} bytes, " +
                    $"but only {reader.Remaining - 4} remain before the checksum");
            var shape = new Shape(dims);
            var data = new float[shape.Length];
            ReadOnlySpan<byte> raw = reader.Bytes(shape.Length * 4);
            for (int k = 0; k < data.Length; k++) data[k] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(k * 4, 4));
            if (!tensors.TryAdd(name, Tensor.FromArray(data, shape))) throw reader.Error($"holds tensor '{name}' twice");
        }
        if (reader.Remaining != 4) throw reader.Error($"has {reader.Remaining - 4} unexpected bytes after its tensors");
        return (header, tensors);
    }

    private static byte[] Serialize(ReadOnlySpan<byte> header, List<(string Name, Tensor Data)> tensors)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((uint)header.Length);
            w.Write(header);
            w.Write((uint)tensors.Count);
            foreach (var (name, data) in tensors)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(name);
                if (nameBytes.Length > ushort.MaxValue)
                    throw new ArgumentException($"Tensor name '{name[..40]}…' is longer than {ushort.MaxValue} bytes.", nameof(tensors));
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

    // Bounds-checked little-endian reads that name the file when it ends early.
    private sealed class Reader(byte[] bytes, string file)
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

        public InvalidDataException Error(string problem) => new($"{file} {problem}.");
    }
}
