using System.Buffers.Binary;
using System.IO.Compression;
using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Reads the IDX files of the MNIST family (LeCun et al.): a big-endian header — magic number
/// <c>0x0000 TT DD</c> (TT = element type, 0x08 = uint8; DD = number of dimensions), then one int32 per dimension —
/// followed by the elements. Files may be raw or gzip-compressed; gzip is recognised by its magic bytes (1F 8B),
/// whatever the file is called. Every error is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
/// <remarks>
/// The header is checked against the file before anything is allocated: a raw file must hold exactly the declared
/// elements (no fewer, no trailing bytes); a gzip file may declare at most what its compressed bytes can inflate to
/// (deflate's 1032:1 bound) and at most <see cref="MaxGzipPayloadBytes"/>, and its elements are read into a buffer
/// that grows with the data actually decompressed. A gzip stream is then read to its end, so its CRC-32 and length
/// trailer are verified and decompressed bytes beyond the declared elements are refused.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an images file: uint8 elements, 3 dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a labels file: uint8 elements, 1 dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// The most elements a gzip-compressed IDX file may declare, in bytes (1 GiB; the full Fashion-MNIST training
    /// images are 47 MB): a stream's decompressed length is unknown until it has been read, so this cap, not the file
    /// length, bounds what a corrupt or hostile header can make the reader allocate.
    /// </summary>
    public const long MaxGzipPayloadBytes = 1L << 30;

    // A gzip file's elements are read into a buffer that starts at this size and doubles, so that a header claiming
    // more than the stream holds costs at most twice the bytes the stream really holds.
    private const int InitialGzipBuffer = 1 << 20;

    /// <summary>Reads an images file (raw or gzip) from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// Wrong magic, a header the file cannot hold, truncated data, trailing bytes or corrupt gzip; the message names the file.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var file = File.OpenRead(path);
        return ReadImages(file, path);
    }

    /// <summary>
    /// Reads an images file (raw or gzip) from <paramref name="stream"/>, which is read to its end (the data must end
    /// there) and left open; <paramref name="source"/> names it in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Wrong magic, a header the stream cannot hold, truncated data, trailing bytes or corrupt gzip; the message names the source.
    /// </exception>
    public static IdxImages ReadImages(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var payload = IdxPayload.Open(stream);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(payload, header, ImagesMagic, source);
        int count = ReadDimension(header, 1, source);
        int rows = ReadDimension(header, 2, source);
        int columns = ReadDimension(header, 3, source);
        if ((long)rows * columns > int.MaxValue)
            throw new InvalidDataException(
                $"IDX file '{source}' declares images of {rows}×{columns} pixels, more than {int.MaxValue} pixels per image.");
        Int128 length = (Int128)count * rows * columns;
        byte[] pixels = ReadElements(payload, length, source, $"{count} images of {rows}×{columns} pixels", header.Length);
        return new IdxImages(pixels, count, rows, columns);
    }

    /// <summary>Reads a labels file (raw or gzip) from <paramref name="path"/>: one uint8 label per example.</summary>
    /// <exception cref="InvalidDataException">
    /// Wrong magic, a header the file cannot hold, truncated data, trailing bytes or corrupt gzip; the message names the file.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var file = File.OpenRead(path);
        return ReadLabels(file, path);
    }

    /// <summary>
    /// Reads a labels file (raw or gzip) from <paramref name="stream"/>, read to its end and left open;
    /// <paramref name="source"/> names it in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Wrong magic, a header the stream cannot hold, truncated data, trailing bytes or corrupt gzip; the message names the source.
    /// </exception>
    public static byte[] ReadLabels(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var payload = IdxPayload.Open(stream);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(payload, header, LabelsMagic, source);
        int count = ReadDimension(header, 1, source);
        return ReadElements(payload, count, source, $"{count} labels", header.Length);
    }

    /// <summary>
    /// Reads an images file and its labels file into a <see cref="Dataset"/> of flattened images, pixels scaled to
    /// [0, 1] by /255: features [N, rows × columns].
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Either file is malformed, their counts differ (both files and counts are named), or a label is outside
    /// [0, <paramref name="classes"/>) (the label, its index and the range are named).
    /// </exception>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, int classes, string name) =>
        ToDataset(ReadImages(imagesPath), imagesPath, ReadLabels(labelsPath), labelsPath, classes, name);

    /// <summary>
    /// As <see cref="ReadDataset(string, string, int, string)"/>, from two streams (left open) named
    /// <paramref name="imagesSource"/> and <paramref name="labelsSource"/> in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">A stream is malformed, the counts differ or a label is out of range.</exception>
    public static Dataset ReadDataset(Stream images, string imagesSource, Stream labels, string labelsSource, int classes, string name) =>
        ToDataset(ReadImages(images, imagesSource), imagesSource, ReadLabels(labels, labelsSource), labelsSource, classes, name);

    /// <summary>
    /// Reads an images file without labels — a transfer set for distillation — into a <see cref="Dataset"/> whose
    /// rows are all <see cref="Dataset.Unlabelled"/>, pixels scaled to [0, 1] by /255.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed (the message names it).</exception>
    public static Dataset ReadUnlabelled(string imagesPath, int classes, string name)
    {
        IdxImages images = ReadImages(imagesPath);
        var labels = new int[images.Count];
        Array.Fill(labels, Dataset.Unlabelled);
        return new Dataset(Features(images), labels, classes, name, imagesPath);
    }

    // Flattened images [N, rows × columns], pixels scaled to [0, 1] by /255.
    private static Tensor Features(IdxImages images)
    {
        var features = new float[images.Pixels.Length];
        for (int i = 0; i < features.Length; i++) features[i] = images.Pixels[i] / 255f;
        return Tensor.FromArray(features, images.Count, images.PixelsPerImage);
    }

    private static Dataset ToDataset(IdxImages images, string imagesSource, byte[] labels, string labelsSource, int classes, string name)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"A dataset needs at least one class; got {classes}.");
        if (images.Count != labels.Length)
            throw new InvalidDataException(
                $"The images file '{imagesSource}' holds {images.Count} images but the labels file '{labelsSource}' holds {labels.Length} labels.");
        var classLabels = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
                throw new InvalidDataException(
                    $"Labels file '{labelsSource}': label {labels[i]} at index {i} is outside the allowed range [0, {classes - 1}].");
            classLabels[i] = labels[i];
        }
        return new Dataset(Features(images), classLabels, classes, name, $"{imagesSource}, {labelsSource}");
    }

    // The declared elements, checked against what the file can hold before the buffer is allocated; a gzip stream is
    // then read to its end so that its trailer (CRC-32, length) is verified.
    private static byte[] ReadElements(IdxPayload payload, Int128 declared, string source, string what, int offset)
    {
        long available = payload.Available - offset;
        if (declared > Array.MaxLength)
            throw new InvalidDataException(
                $"IDX file '{source}' declares {what} ({declared} bytes), more than an array can hold ({Array.MaxLength} bytes).");
        if (!payload.IsGzip)
        {
            if (declared > available)
                throw new InvalidDataException(
                    $"IDX file '{source}' is truncated: expected {(Int128)offset + declared} bytes in all, found {offset + available} " +
                    $"(its header declares {what}).");
            if (declared < available)
                throw new InvalidDataException(
                    $"IDX file '{source}' has {available - (long)declared} trailing bytes: its header declares {what}, " +
                    $"{offset + (long)declared} bytes in all, but the file holds {offset + available}.");
            var elements = new byte[(long)declared];
            ReadExactly(payload, elements, source, what, offset);
            return elements;
        }
        if (declared > available)
            throw new InvalidDataException(
                $"IDX file '{source}' declares {what} ({declared} bytes after decompression), more than this gzip file can hold: " +
                $"at most {available} bytes, " + (payload.Available == MaxGzipPayloadBytes
                    ? $"the {MaxGzipPayloadBytes}-byte cap on decompressed IDX data."
                    : "since deflate inflates at most 1032:1 (a gzip bomb or a corrupt header)."));
        byte[] buffer = new byte[(int)Int128.Min(declared, InitialGzipBuffer)];
        int filled = 0;
        while (true)
        {
            filled += ReadExactly(payload, buffer.AsSpan(filled), source, what, offset + filled, throwWhenShort: false);
            if (filled < buffer.Length)
                throw Truncated(source, what, offset, (long)declared, filled, gzip: true);
            if (filled == declared) break;
            Array.Resize(ref buffer, (int)Int128.Min(declared, 2 * (Int128)buffer.Length));
        }
        Span<byte> probe = stackalloc byte[1];
        if (ReadExactly(payload, probe, source, what, offset + filled, throwWhenShort: false) != 0)
            throw new InvalidDataException(
                $"IDX file '{source}' has trailing bytes after decompression: its header declares {what}, " +
                $"{offset + filled} bytes in all, but the gzip stream holds more.");
        return buffer;
    }

    private static int ReadExactly(IdxPayload payload, Span<byte> destination, string source, string what, int offset, bool throwWhenShort = true)
    {
        int read;
        try
        {
            read = payload.Stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{source}' is not a valid gzip stream: {e.Message}", e);
        }
        if (throwWhenShort && read < destination.Length)
            throw Truncated(source, what, offset, destination.Length, read, payload.IsGzip);
        return read;
    }

    private static InvalidDataException Truncated(string source, string what, int offset, long expected, long found, bool gzip) =>
        new($"IDX file '{source}' is truncated: expected {offset + expected} bytes in all, found {offset + found} " +
            $"(reading {what}, {expected} bytes from byte {offset}{(gzip ? ", after decompression" : "")}).");

    // The magic is checked before the rest of the header is read, so a file of the wrong kind is reported as such
    // even when it is shorter than the header this reader expects.
    private static void ReadHeader(IdxPayload payload, Span<byte> header, int expected, string source)
    {
        ReadExactly(payload, header[..4], source, "the magic number", 0);
        CheckMagic(header, expected, source);
        ReadExactly(payload, header[4..], source, $"the rest of the {header.Length}-byte header", 4);
    }

    private static void CheckMagic(ReadOnlySpan<byte> header, int expected, string source)
    {
        int found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found == expected) return;
        string hint = found switch
        {
            ImagesMagic => " (that is an images file)",
            LabelsMagic => " (that is a labels file)",
            _ => "",
        };
        throw new InvalidDataException(
            $"IDX file '{source}' has the wrong magic number: expected 0x{expected:X8} ({Describe(expected)}), found 0x{found:X8}{hint}.");
    }

    private static string Describe(int magic) => magic == ImagesMagic ? "uint8 images, 3 dimensions" : "uint8 labels, 1 dimension";

    private static int ReadDimension(ReadOnlySpan<byte> header, int index, string source)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(header[(4 * index)..]);
        if (value < 0)
            throw new InvalidDataException($"IDX file '{source}': dimension {index - 1} in the header is negative ({value}).");
        return value;
    }
}
