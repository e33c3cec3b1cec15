namespace TinyKd.Distill.Data;

/// <summary>
/// The contents of an IDX images file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/>
/// uint8 pixels, row-major, one image after another.
/// </summary>
public sealed class IdxImages
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as <paramref name="count"/> images of the given size.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the pixel count is not count × rows × columns.</exception>
    public IdxImages(byte[] pixels, int count, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (count < 0 || rows < 0 || columns < 0)
            throw new ArgumentException($"IDX image dimensions must be non-negative; got {count}×{rows}×{columns}.", nameof(count));
        if ((long)count * rows * columns != pixels.Length)
            throw new ArgumentException(
                $"{pixels.Length} pixels cannot hold {count} images of {rows}×{columns}.", nameof(pixels));
        Pixels = pixels;
        Count = count;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The pixels, image-major then row-major; length <c>Count × Rows × Columns</c>.</summary>
    public byte[] Pixels { get; }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>The height of each image.</summary>
    public int Rows { get; }

    /// <summary>The width of each image.</summary>
    public int Columns { get; }

    /// <summary>Pixels per image (<c>Rows × Columns</c>), the feature count of a flattened image.</summary>
    public int PixelsPerImage => Rows * Columns;
}
