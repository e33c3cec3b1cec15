using System.IO.Compression;

namespace TinyKd.Distill.Data;

/// <summary>
/// The bytes of an IDX file, decompressed when the stream starts with the gzip magic bytes (1F 8B). Disposing it
/// releases what it opened and leaves the caller's stream open.
/// </summary>
internal readonly struct IdxPayload : IDisposable
{
    private readonly bool _owned;

    private IdxPayload(Stream stream, bool isGzip, bool owned)
    {
        Stream = stream;
        IsGzip = isGzip;
        _owned = owned;
    }

    /// <summary>The stream to read the header and elements from.</summary>
    public Stream Stream { get; }

    /// <summary>True when the file was gzip-compressed.</summary>
    public bool IsGzip { get; }

    // The gzip check looks at two bytes and then starts again, so a stream that cannot seek is copied first.
    public static IdxPayload Open(Stream stream)
    {
        Stream seekable = stream;
        bool copied = false;
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            seekable = copy;
            copied = true;
        }
        long start = seekable.Position;
        Span<byte> magic = stackalloc byte[2];
        int read = seekable.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        seekable.Position = start;
        bool gzip = read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        if (gzip) return new IdxPayload(new GZipStream(seekable, CompressionMode.Decompress, leaveOpen: !copied), true, true);
        return new IdxPayload(seekable, false, copied);
    }

    /// <summary>Disposes the decompressor or the copy, never the caller's stream.</summary>
    public void Dispose()
    {
        if (_owned) Stream.Dispose();
    }
}
