using System.IO.Compression;

namespace TinyKd.Distill.Data;

/// <summary>
/// The bytes of an IDX file, decompressed when the stream starts with the gzip magic bytes (1F 8B), with the most
/// bytes the file can hold after a header: exactly what remains of a raw file, and for gzip the smaller of
/// <see cref="IdxReader.MaxGzipPayloadBytes"/> and what deflate can inflate the compressed bytes to. Disposing it
/// releases what it opened and leaves the caller's stream open.
/// </summary>
internal readonly struct IdxPayload : IDisposable
{
    // Deflate emits at least one bit per 258-byte match of the longest length: 258 × 8 = 2064 bytes per byte, less the
    // block headers, gives the format's well-known bound of 1032:1 (zlib's technical details). A gzip file of C bytes
    // therefore inflates to at most 1032 × C bytes, whatever its header claims.
    private const long DeflateMaxRatio = 1032;

    private readonly bool _owned;

    private IdxPayload(Stream stream, bool isGzip, bool owned, long available)
    {
        Stream = stream;
        IsGzip = isGzip;
        _owned = owned;
        Available = available;
    }

    /// <summary>The stream to read the header and elements from.</summary>
    public Stream Stream { get; }

    /// <summary>True when the file was gzip-compressed.</summary>
    public bool IsGzip { get; }

    /// <summary>
    /// For a raw file, the exact number of bytes from the start of the payload to the end of the file; for gzip, an
    /// upper bound on the decompressed bytes (the cap or the deflate ratio bound, the smaller).
    /// </summary>
    public long Available { get; }

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
        long length = seekable.Length - start;
        Span<byte> magic = stackalloc byte[2];
        int read = seekable.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        seekable.Position = start;
        bool gzip = read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        if (!gzip) return new IdxPayload(seekable, false, copied, length);
        long bound = length > IdxReader.MaxGzipPayloadBytes / DeflateMaxRatio ? IdxReader.MaxGzipPayloadBytes : length * DeflateMaxRatio;
        return new IdxPayload(new GZipStream(seekable, CompressionMode.Decompress, leaveOpen: !copied), true, true, bound);
    }

    /// <summary>Disposes the decompressor or the copy, never the caller's stream.</summary>
    public void Dispose()
    {
        if (_owned) Stream.Dispose();
    }
}
