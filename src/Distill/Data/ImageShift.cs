using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Random translation of images, the augmentation Hinton, Vinyals &amp; Dean (2015, §3) used on MNIST: each image is
/// moved by up to ±k pixels in x and in y (k = 2 there), independently per image, the pixels moved out of the frame
/// dropped and the vacated ones set to a blank value. The shift of an image depends only on (seed, epoch, dataset
/// index) through a counter-based hash, so a run resumed at any epoch draws the same shifts without saved RNG state,
/// whatever the batch order or size.
/// </summary>
public static class ImageShift
{
    /// <summary>The largest shift, in pixels along each axis, that Hinton et al. used on MNIST.</summary>
    public const int DefaultMaxShift = 2;

    /// <summary>
    /// The shift (<c>Dx</c> to the right, <c>Dy</c> down, each uniform in [−<paramref name="maxShift"/>,
    /// <paramref name="maxShift"/>]) that <see cref="Apply"/> gives the image with dataset index
    /// <paramref name="sampleIndex"/> at <paramref name="epoch"/>: Dx from the low 32 bits of
    /// <c>Rng.Hash(seed, epoch, sampleIndex)</c>, Dy from the high 32 bits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/>, <paramref name="sampleIndex"/> or <paramref name="maxShift"/> is negative.</exception>
    public static (int Dx, int Dy) ShiftOf(ulong seed, int epoch, int sampleIndex, int maxShift)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        return Draw(seed, epoch, sampleIndex, maxShift);
    }

    /// <summary>
    /// Shifts each of the first <paramref name="count"/> images of <paramref name="batch"/> (row-major [count,
    /// height × width], one image per row) in place by <see cref="ShiftOf"/>(<paramref name="seed"/>,
    /// <paramref name="epoch"/>, sampleIndices[i], <paramref name="maxShift"/>): pixel (y, x) takes the value of
    /// pixel (y − Dy, x − Dx), or <paramref name="fill"/> where that lies outside the image. Floats after the first
    /// count images are left alone; nothing is allocated.
    /// </summary>
    /// <param name="batch">The images, transformed in place.</param>
    /// <param name="count">How many images to shift, ≥ 0.</param>
    /// <param name="height">Rows of pixels per image, ≥ 1.</param>
    /// <param name="width">Columns of pixels per image, ≥ 1.</param>
    /// <param name="sampleIndices">The dataset index of each image (≥ 0), which with the epoch decides its shift.</param>
    /// <param name="seed">The run's augmentation seed.</param>
    /// <param name="epoch">The epoch, ≥ 0: the same image is shifted differently in each.</param>
    /// <param name="maxShift">The largest shift along each axis, in [0, min(height, width)); 0 leaves the batch as it is.</param>
    /// <param name="fill">
    /// The value of a blank pixel in the batch's current feature space: 0 for raw pixels, (0 − mean) / std after a
    /// global standardisation. (After a per-feature standardisation blank differs per pixel; shift before
    /// standardising then.)
    /// </param>
    /// <exception cref="ArgumentException">
    /// The batch holds fewer than count × height × width floats, there are fewer than count sample indices or one is
    /// negative, or count, height, width, epoch or maxShift is out of range; the message names the parameter and value.
    /// </exception>
    public static void Apply(Span<float> batch, int count, int height, int width, ReadOnlySpan<int> sampleIndices,
                             ulong seed, int epoch, int maxShift, float fill)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        long pixels = (long)height * width;
        if (count * pixels > batch.Length)
            throw new ArgumentException(
                $"{count} images of {height}×{width} pixels need {count * pixels} floats, but the batch holds {batch.Length}.",
                nameof(batch));
        if (sampleIndices.Length < count)
            throw new ArgumentException(
                $"{count} images need {count} sample indices, but sampleIndices holds {sampleIndices.Length}.", nameof(sampleIndices));
        if (maxShift < 0 || maxShift >= Math.Min(height, width))
            throw new ArgumentOutOfRangeException(
                nameof(maxShift), maxShift, $"The largest shift of a {height}×{width} image must be in [0, {Math.Min(height, width) - 1}].");
        for (int i = 0; i < count; i++)
        {
            if (sampleIndices[i] < 0)
                throw new ArgumentException($"sampleIndices[{i}] is {sampleIndices[i]}; a dataset index is ≥ 0.", nameof(sampleIndices));
        }
        if (maxShift == 0) return;

        int size = (int)pixels;
        for (int i = 0; i < count; i++)
        {
            (int dx, int dy) = Draw(seed, epoch, sampleIndices[i], maxShift);
            Shift(batch.Slice(i * size, size), height, width, dx, dy, fill);
        }
    }

    // Lemire's multiply-shift maps 32 random bits onto the 2k + 1 shifts; with 2k + 1 far below 2^32 its bias is
    // negligible. Dx and Dy come from disjoint halves of the hash, so they are independent.
    private static (int Dx, int Dy) Draw(ulong seed, int epoch, int sampleIndex, int maxShift)
    {
        ulong bits = Rng.Hash(seed, (ulong)epoch, (ulong)sampleIndex);
        ulong choices = 2UL * (ulong)maxShift + 1;
        int dx = (int)(((bits & 0xFFFF_FFFFUL) * choices) >> 32) - maxShift;
        int dy = (int)(((bits >> 32) * choices) >> 32) - maxShift;
        return (dx, dy);
    }

    // Moves one image [height, width] by (dx, dy) in place, |dx| < width and |dy| < height: out[y, x] = in[y − dy,
    // x − dx], or fill outside. Output row y reads input row y − dy, so the rows are walked against the direction of
    // travel (bottom-up when moving down, top-down when moving up): every input row is read before it is overwritten.
    // Within a row, Span.CopyTo is an overlap-safe memmove, which covers dy = 0.
    private static void Shift(Span<float> image, int height, int width, int dx, int dy, float fill)
    {
        if (dx == 0 && dy == 0) return;
        int kept = width - Math.Abs(dx);
        int from = Math.Max(0, -dx), to = Math.Max(0, dx);
        for (int step = 0; step < height; step++)
        {
            int y = dy > 0 ? height - 1 - step : step;
            Span<float> row = image.Slice(y * width, width);
            int source = y - dy;
            if ((uint)source >= (uint)height)
            {
                row.Fill(fill);
                continue;
            }
            image.Slice(source * width + from, kept).CopyTo(row[to..]);
            row[..to].Fill(fill);
            row[(to + kept)..].Fill(fill);
        }
    }
}
