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
public static class IdxReader
{
    /// <summary>Magic number of an images file: uint8 elements, 3 dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a labels file: uint8 elements, 1 dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file (raw or gzip) from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, truncated data or corrupt gzip; the message names the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var file = File.OpenRead(path);
        return ReadImages(file, path);
    }

    /// <summary>
    /// Reads an images file (raw or gzip) from <paramref name="stream"/>, which is read to the end of the data and
    /// left open; <paramref name="source"/> names it in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">Wrong magic, truncated data or corrupt gzip; the message names the source.</exception>
    public static IdxImages ReadImages(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var payload = IdxPayload.Open(stream);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(payload, header, ImagesMagic, source);
        int count = ReadDimension(header, 1, source);
        int rows = ReadDimension(header, 2, source);
        int columns = ReadDimension(header, 3, source);
        long length = (long)count * rows * columns;
        if (length > Array.MaxLength)
            throw new InvalidDataException(
                $"IDX file '{source}' declares {count} images of {rows}×{columns} ({length} bytes), more than an array can hold.");
        var pixels = new byte[length];
        ReadExactly(payload, pixels, source, $"{count} images of {rows}×{columns} pixels", header.Length);
        return new IdxImages(pixels, count, rows, columns);
    }

    /// <summary>Reads a labels file (raw or gzip) from <paramref name="path"/>: one uint8 label per example.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, truncated data or corrupt gzip; the message names the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var file = File.OpenRead(path);
        return ReadLabels(file, path);
    }

    /// <summary>
    /// Reads a labels file (raw or gzip) from <paramref name="stream"/>, left open; <paramref name="source"/> names it
    /// in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">Wrong magic, truncated data or corrupt gzip; the message names the source.</exception>
    public static byte[] ReadLabels(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var payload = IdxPayload.Open(stream);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(payload, header, LabelsMagic, source);
        var labels = new byte[ReadDimension(header, 1, source)];
        ReadExactly(payload, labels, source, $"{labels.Length} labels", header.Length);
        return labels;
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

    private static void ReadExactly(IdxPayload payload, Span<byte> destination, string source, string what, int offset)
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
        if (read < destination.Length)
            throw new InvalidDataException(
                $"IDX file '{source}' is truncated: expected {offset + destination.Length} bytes in all, found {offset + read} " +
                $"(reading {what}, {destination.Length} bytes from byte {offset}{(payload.IsGzip ? ", after decompression" : "")}).");
    }

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
