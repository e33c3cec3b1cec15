using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// The container under every TinyKd file (models and checkpoints), little-endian:
/// <code>
/// "TKDM"  u32 version  u32 headerLength  header (UTF-8 JSON)
/// u32 tensorCount  { u16 nameLength  name  u8 elementType  u8 rank  i32 dims[rank]  data[∏dims] }*
/// u32 CRC-32 of every byte before it
/// </code>
/// Version 2 (written) stores each array at its own element width (<see cref="ElementType"/>: f32, i32, u16, i8,
/// u8), so compressed layers keep their int8 weights and 16-bit indices; version 1 (still read) had no element-type
/// byte and only f32 data.
/// Writing goes through <see cref="AtomicFile"/>, so a crash (even kill -9) leaves either the old file or the new
/// one, never a torn one. Reading checks the magic, the
/// version, the checksum and every length, and names the file in every error.
/// </summary>
public static class TensorFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint Version = 2;

    /// <summary>The oldest format version this code still reads (f32 tensors only).</summary>
    public const uint OldestReadable = 1;

    private static ReadOnlySpan<byte> Magic => "TKDM"u8;

    /// <summary>Writes <paramref name="header"/> (UTF-8 JSON) and the named tensors to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">A tensor name is longer than 65,535 UTF-8 bytes.</exception>
    public static void Write(string path, ReadOnlySpan<byte> header, IEnumerable<(string Name, Tensor Data)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, header, tensors.Select(t => StoredTensor.Float32(t.Name, t.Data)));
    }

    /// <summary>Writes <paramref name="header"/> (UTF-8 JSON) and the typed arrays to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">A name is longer than 65,535 UTF-8 bytes or appears twice.</exception>
    public static void Write(string path, ReadOnlySpan<byte> header, IEnumerable<StoredTensor> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        byte[] bytes = Serialize(header, tensors.ToList());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Reads a TinyKd file of float tensors whose header is the JSON of <typeparamref name="THeader"/>: the
    /// header deserialised and the tensors. The errors of <see cref="Read"/>, plus an empty or unreadable header, name the file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>, or the header is not that JSON.</exception>
    public static (THeader Header, Dictionary<string, Tensor> Tensors) ReadJson<THeader>(string path, string what = "Model file")
        where THeader : class
    {
        var (bytes, tensors) = Read(path, what);
        return (Deserialize<THeader>(bytes, path, what), tensors);
    }

    /// <summary>
    /// As <see cref="ReadJson{THeader}"/>, with the arrays at their stored element types (compressed models).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="ReadStored"/>, or the header is not that JSON.</exception>
    public static (THeader Header, Dictionary<string, StoredTensor> Tensors) ReadStoredJson<THeader>(string path, string what = "Model file")
        where THeader : class
    {
        var (bytes, tensors) = ReadStored(path, what);
        return (Deserialize<THeader>(bytes, path, what), tensors);
    }

    private static THeader Deserialize<THeader>(byte[] bytes, string path, string what) where THeader : class
    {
        try
        {
            THeader header = JsonSerializer.Deserialize<THeader>(bytes)
                ?? throw new InvalidDataException($"{what} '{path}' has an empty header.");
            return header;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} '{path}' has an unreadable header ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Reads a TinyKd file of float tensors (dense models, checkpoints): its JSON header and its tensors (CPU, in file
    /// order). Every length and shape is checked against the bytes the file holds before anything is allocated for
    /// it, so no header can make the reader allocate more than the file's size; an array of another element type is an error.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages ("Model file", "Checkpoint").</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd file, has another version, is truncated or corrupted (the message names the file and the fault).
    /// </exception>
    public static (byte[] Header, Dictionary<string, Tensor> Tensors) Read(string path, string what = "Model file")
    {
        var (header, stored) = ReadStored(path, what);
        var tensors = new Dictionary<string, Tensor>(stored.Count);
        foreach (var (name, tensor) in stored)
        {
            if (tensor.Type != ElementType.Float32)
                throw new InvalidDataException($"{what} '{path}' holds tensor '{name}' of {tensor.Type} elements where float tensors were expected.");
            tensors.Add(name, tensor.ToTensor());
        }
        return (header, tensors);
    }

    /// <summary>
    /// Reads any TinyKd file (version 1 or 2): its JSON header and its arrays at their stored element types, in file order. The checks of
    /// <see cref="Read"/>, plus an unknown element type.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a TinyKd file, has another version, is truncated or corrupted (the message names the file and the fault).
    /// </exception>
    public static (byte[] Header, Dictionary<string, StoredTensor> Tensors) ReadStored(string path, string what = "Model file")
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
        if (version < OldestReadable || version > Version)
            throw reader.Error($"has format version {version}; this TinyKd reads versions {OldestReadable} to {Version}");
        if (stored != actual) throw reader.Error($"is corrupted or truncated: checksum 0x{actual:X8} does not match the stored 0x{stored:X8}");

        byte[] header = reader.Bytes((int)reader.U32()).ToArray();
        var tensors = new Dictionary<string, StoredTensor>();
        uint count = reader.U32();
        for (uint i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(reader.Bytes(reader.U16()));
            var type = version == 1 ? ElementType.Float32 : (ElementType)reader.Bytes(1)[0];
            if (!Enum.IsDefined(type)) throw reader.Error($"tensor '{name}' has an unknown element type {(byte)type}");
            int rank = reader.Bytes(1)[0];
            if (rank > Shape.MaxRank) throw reader.Error($"tensor '{name}' has rank {rank}; TinyKd tensors have at most {Shape.MaxRank} dimensions");
            var dims = new int[rank];
            for (int d = 0; d < rank; d++) dims[d] = reader.I32();
            if (dims.Any(d => d < 0)) throw reader.Error($"tensor '{name}' has a negative dimension ({string.Join("×", dims)})");
            Int128 elements = 1;
            foreach (int d in dims) elements *= d;
            Int128 size = elements * StoredTensor.SizeOf(type);
            if (size > reader.Remaining - 4)
                throw reader.Error(
                    $"is truncated or corrupted: tensor '{name}' of shape [{string.Join(", ", dims)}] needs {size} bytes, " +
                    $"but only {reader.Remaining - 4} remain before the checksum");
            byte[] data = reader.Bytes((int)size).ToArray();
            if (!tensors.TryAdd(name, StoredTensor.FromFile(name, dims, type, data))) throw reader.Error($"holds tensor '{name}' twice");
        }
        if (reader.Remaining != 4) throw reader.Error($"has {reader.Remaining - 4} unexpected bytes after its tensors");
        return (header, tensors);
    }

    private static byte[] Serialize(ReadOnlySpan<byte> header, List<StoredTensor> tensors)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((uint)header.Length);
            w.Write(header);
            w.Write((uint)tensors.Count);
            var names = new HashSet<string>();
            foreach (StoredTensor tensor in tensors)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(tensor.Name);
                if (nameBytes.Length > ushort.MaxValue)
                    throw new ArgumentException($"Tensor name '{tensor.Name[..40]}…' is longer than {ushort.MaxValue} bytes.", nameof(tensors));
                if (!names.Add(tensor.Name)) throw new ArgumentException($"Tensor '{tensor.Name}' is written twice.", nameof(tensors));
                w.Write((ushort)nameBytes.Length);
                w.Write(nameBytes);
                w.Write((byte)tensor.Type);
                w.Write((byte)tensor.Dims.Count);
                foreach (int d in tensor.Dims) w.Write(d);
                w.Write(tensor.Bytes.Span);
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
