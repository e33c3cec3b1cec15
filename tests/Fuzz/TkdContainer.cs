using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Fuzz;

/// <summary>
/// Edits the JSON header of a <see cref="TensorFile"/> ("TKDM", version, header length, header, tensors, CRC-32) and
/// reseals its checksum, so tests can build files that pass the checksum but carry a chosen header.
/// </summary>
internal static class TkdContainer
{
    private const int HeaderStart = 12;

    /// <summary>The header bytes, or null when the length field does not fit the file.</summary>
    public static byte[]? Header(byte[] file)
    {
        if (file.Length < HeaderStart + 4) return null;
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        return length > file.Length - HeaderStart - 4 ? null : file.AsSpan(HeaderStart, (int)length).ToArray();
    }

    /// <summary><paramref name="file"/> with its header replaced by <paramref name="header"/> and the checksum resealed.</summary>
    public static byte[] WithHeader(byte[] file, byte[] header)
    {
        int old = Header(file)?.Length ?? throw new ArgumentException("The file's header length does not fit it.", nameof(file));
        byte[] bytes = [.. file.AsSpan(0, 8), .. new byte[4], .. header, .. file.AsSpan(HeaderStart + old)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        return Sealed(bytes);
    }

    /// <summary><paramref name="file"/> with the stored checksum rewritten to match the bytes before it.</summary>
    public static byte[] Sealed(byte[] file)
    {
        if (file.Length < HeaderStart + 4) return file;
        byte[] bytes = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    /// <summary>Rewrites the file at <paramref name="path"/> after <paramref name="edit"/> has changed its JSON header.</summary>
    public static void EditHeader(string path, Action<JsonObject> edit)
    {
        byte[] file = File.ReadAllBytes(path);
        var header = (JsonObject)JsonNode.Parse(Header(file)!)!;
        edit(header);
        File.WriteAllBytes(path, WithHeader(file, Encoding.UTF8.GetBytes(header.ToJsonString())));
    }
}
