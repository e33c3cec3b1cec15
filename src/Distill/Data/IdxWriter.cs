using System.Buffers.Binary;
using System.IO.Compression;

namespace TinyKd.Distill.Data;

/// <summary>
/// Writes IDX images and labels files in the layout <see cref="IdxReader"/> reads. A path ending in <c>.gz</c> is
/// written gzip-compressed, any other path raw; streams are written raw (wrap one in a <see cref="GZipStream"/> to
/// compress it).
/// </summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="images"/> to <paramref name="path"/>, gzip-compressed when it ends in <c>.gz</c>.</summary>
    public static void WriteImages(string path, IdxImages images) => WriteFile(path, stream => WriteImages(stream, images));

    /// <summary>Writes <paramref name="images"/> raw to <paramref name="stream"/>, which is left open.</summary>
    public static void WriteImages(Stream stream, IdxImages images)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(images);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], images.Count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], images.Rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], images.Columns);
        stream.Write(header);
        stream.Write(images.Pixels);
    }

    /// <summary>Writes <paramref name="labels"/> to <paramref name="path"/>, gzip-compressed when it ends in <c>.gz</c>.</summary>
    public static void WriteLabels(string path, byte[] labels) => WriteFile(path, stream => WriteLabels(stream, labels));

    /// <summary>Writes <paramref name="labels"/> raw to <paramref name="stream"/>, which is left open.</summary>
    public static void WriteLabels(Stream stream, ReadOnlySpan<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        stream.Write(header);
        stream.Write(labels);
    }

    private static void WriteFile(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            write(gzip);
        }
        else
        {
            write(file);
        }
    }
}
