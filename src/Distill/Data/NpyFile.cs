using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TinyKd.Distill.Data;

/// <summary>
/// Reads and writes float32 matrices in NumPy's <c>.npy</c> format (numpy.lib.format): the magic string
/// <c>\x93NUMPY</c>, a major and a minor version byte, the header length (uint16 little-endian in version 1.0, uint32
/// in 2.0 and 3.0), a header that is a Python dict literal with <c>descr</c>, <c>fortran_order</c> and <c>shape</c>
/// (Latin-1 in 1.0 and 2.0, UTF-8 in 3.0), then the elements. TinyKd reads and writes one kind of array: little-endian
/// float32 (<c>&lt;f4</c>), C order, rank 2 [N, C] — teacher logits exchanged with Python. Every fault in a file is an
/// <see cref="InvalidDataException"/> whose message names the file.
/// </summary>
public static class NpyFile
{
    // Elements move between the file and the array through a byte buffer of this many floats.
    private const int ChunkFloats = 16384;

    // NumPy itself refuses headers over 10 000 bytes unless told otherwise (max_header_size); a float32 matrix's
    // header is under 128. The bound keeps a corrupt length from allocating gigabytes.
    private const int MaxHeaderLength = 1 << 16;

    /// <summary>
    /// Reads a little-endian float32, C-order, rank-2 array from the .npy file at <paramref name="path"/> (format
    /// version 1.0, 2.0 or 3.0) and returns its elements row-major; <paramref name="rows"/> and
    /// <paramref name="columns"/> receive its shape. Either may be 0, and the array is then empty.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file does not begin with the .npy magic string, has a version other than 1.0, 2.0 or 3.0, a truncated or
    /// malformed header, a dtype other than <c>&lt;f4</c>, Fortran order, a rank other than 2, fewer data bytes than
    /// its shape needs or bytes after them; the message names the file and what was found.
    /// </exception>
    public static float[] ReadFloat32Matrix(string path, out int rows, out int columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"NumPy file '{path}' does not exist.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = file.Length;
        int dataOffset = ReadHeader(file, path, length, out NpyHeader header);
        (rows, columns) = CheckFloat32Matrix(header, path);

        long expected = 4L * rows * columns;
        long actual = length - dataOffset;
        if (actual < expected)
            throw new InvalidDataException(
                $"NumPy file '{path}' is truncated: its [{rows}, {columns}] float32 data need {expected} bytes after the " +
                $"{dataOffset}-byte header, but only {actual} bytes follow.");
        if (actual > expected)
            throw new InvalidDataException(
                $"NumPy file '{path}' has {actual - expected} trailing bytes: its [{rows}, {columns}] float32 data need " +
                $"{expected} bytes after the {dataOffset}-byte header, but {actual} bytes follow.");

        var data = new float[rows * columns];
        ReadElements(file, data);
        return data;
    }

    /// <summary>
    /// Reads class labels from the .npy file at <paramref name="path"/>: a little-endian int32 (<c>&lt;i4</c>) or
    /// int64 (<c>&lt;i8</c>) rank-1 array [N], as <c>np.save</c> writes an integer label vector.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// Not a .npy file, another dtype or rank, Fortran order, a label outside the int32 range, or too few or too many
    /// data bytes; the message names the file.
    /// </exception>
    public static int[] ReadLabels(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"NumPy file '{path}' does not exist.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = file.Length;
        int dataOffset = ReadHeader(file, path, length, out NpyHeader header);
        if (header.Descr is not ("<i4" or "<i8") || header.FortranOrder || header.Shape.Length != 1 || header.Shape[0] > Array.MaxLength)
            throw new InvalidDataException(
                $"NumPy file '{path}' holds dtype '{header.Descr}' of shape {header.ShapeText}; TinyKd reads labels as a " +
                "rank-1 int32 ('<i4') or int64 ('<i8') array [N] — save labels.astype(np.int64).");
        int width = header.Descr == "<i4" ? 4 : 8;
        int count = (int)header.Shape[0];
        if (length - dataOffset != (long)width * count)
            throw new InvalidDataException(
                $"NumPy file '{path}' has {length - dataOffset} data bytes; its {count} labels of {width} bytes need {(long)width * count}.");
        var bytes = new byte[width * count];
        file.ReadExactly(bytes);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            long value = width == 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i))
                : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8 * i));
            if (value is < int.MinValue or > int.MaxValue)
                throw new InvalidDataException($"NumPy file '{path}': label {value} at index {i} is outside the int32 range.");
            labels[i] = (int)value;
        }
        return labels;
    }

    /// <summary>
    /// Writes <paramref name="data"/>, a row-major [<paramref name="rows"/>, <paramref name="columns"/>] matrix, to
    /// <paramref name="path"/> as a version 1.0 .npy file of little-endian float32 in C order — the same bytes
    /// <c>np.save</c> writes, the data starting at a multiple of 64 bytes. Either dimension may be 0. The file is
    /// written to a temporary file in the same folder and then moved over <paramref name="path"/>, so a reader never
    /// sees half a file; the folder is created when missing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not hold rows × columns floats.</exception>
    public static void WriteFloat32Matrix(string path, ReadOnlySpan<float> data, int rows, int columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != data.Length)
            throw new ArgumentException(
                $"A [{rows}, {columns}] matrix holds {(long)rows * columns} floats, but data holds {data.Length}.", nameof(data));

        byte[] header = NpyHeader.FormatFloat32Matrix(rows, columns);
        float[] values = data.ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            WriteElements(stream, values);
        });
    }

    // Reads the magic string, version, header length and header; returns the offset at which the data start.
    private static int ReadHeader(Stream file, string path, long length, out NpyHeader header)
    {
        Span<byte> preamble = stackalloc byte[12];
        int read = file.ReadAtLeast(preamble[..8], 8, throwOnEndOfStream: false);
        int magicRead = Math.Min(read, NpyHeader.Magic.Length);
        if (read == 0 || !preamble[..magicRead].SequenceEqual(NpyHeader.Magic[..magicRead]))
            throw new InvalidDataException(
                $"NumPy file '{path}' is not a .npy file: it does not begin with the magic string \\x93NUMPY ({length} bytes in all).");
        if (read < 8)
            throw new InvalidDataException(
                $"NumPy file '{path}' is truncated: it ends after {read} bytes, inside the magic string and version number.");

        byte major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new InvalidDataException(
                $"NumPy file '{path}' has .npy format version {major}.{minor}; TinyKd reads versions 1.0, 2.0 and 3.0.");
        int lengthBytes = major == 1 ? 2 : 4;
        int prefix = 8 + lengthBytes;
        read += file.ReadAtLeast(preamble[8..prefix], lengthBytes, throwOnEndOfStream: false);
        if (read < prefix)
            throw new InvalidDataException(
                $"NumPy file '{path}' is truncated: it ends after {read} bytes, inside the {lengthBytes}-byte header length.");

        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException(
                $"NumPy file '{path}' declares a header of {headerLength} bytes; TinyKd reads headers of up to {MaxHeaderLength} bytes.");
        if (headerLength > length - prefix)
            throw new InvalidDataException(
                $"NumPy file '{path}' is truncated: its header should be {headerLength} bytes long, but only " +
                $"{length - prefix} bytes follow the {prefix}-byte preamble.");

        var headerBytes = new byte[(int)headerLength];
        file.ReadExactly(headerBytes);
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        header = NpyHeader.Parse(text, path);
        return prefix + (int)headerLength;
    }

    private static (int Rows, int Columns) CheckFloat32Matrix(NpyHeader header, string path)
    {
        if (header.Descr != "<f4")
            throw new InvalidDataException(
                $"NumPy file '{path}' holds dtype '{header.Descr}'; TinyKd reads float32 ('<f4') [N, C] arrays — " +
                "convert with arr.astype(np.float32).");
        if (header.FortranOrder)
            throw new InvalidDataException(
                $"NumPy file '{path}' is stored in Fortran (column-major) order; TinyKd reads C-order (row-major) arrays " +
                "only (fortran_order False) — save np.ascontiguousarray(arr).");
        if (header.Shape.Length != 2)
            throw new InvalidDataException(
                $"NumPy file '{path}' holds an array of shape {header.ShapeText} (rank {header.Shape.Length}); TinyKd reads " +
                "rank-2 [N, C] arrays — reshape with arr.reshape(N, C).");
        long rows = header.Shape[0], columns = header.Shape[1];
        if (rows > int.MaxValue || columns > int.MaxValue || rows * columns > Array.MaxLength)
            throw new InvalidDataException(
                $"NumPy file '{path}' holds an array of shape {header.ShapeText}, more elements than an array can hold.");
        return ((int)rows, (int)columns);
    }

    // The file's bytes are little-endian whatever the machine; BinaryPrimitives makes the conversion explicit
    // (and free on little-endian machines).
    private static void ReadElements(Stream file, Span<float> data)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4 * Math.Min(ChunkFloats, Math.Max(data.Length, 1)));
        try
        {
            for (int start = 0; start < data.Length; start += ChunkFloats)
            {
                Span<float> chunk = data.Slice(start, Math.Min(ChunkFloats, data.Length - start));
                Span<byte> bytes = buffer.AsSpan(0, 4 * chunk.Length);
                file.ReadExactly(bytes);
                for (int i = 0; i < chunk.Length; i++) chunk[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteElements(Stream file, ReadOnlySpan<float> data)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4 * Math.Min(ChunkFloats, Math.Max(data.Length, 1)));
        try
        {
            for (int start = 0; start < data.Length; start += ChunkFloats)
            {
                ReadOnlySpan<float> chunk = data.Slice(start, Math.Min(ChunkFloats, data.Length - start));
                Span<byte> bytes = buffer.AsSpan(0, 4 * chunk.Length);
                for (int i = 0; i < chunk.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], chunk[i]);
                file.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
