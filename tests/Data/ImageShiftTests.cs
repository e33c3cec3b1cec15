using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Tests.Data;

public class ImageShiftTests
{
    private const ulong Seed = 20150309;

    [Fact]
    public void ImageShift_moves_a_single_lit_pixel_by_exactly_its_shift()
    {
        const int height = 5, width = 7, maxShift = 2, litY = 2, litX = 3;
        foreach ((int dx, int dy) in AllShifts(maxShift))
        {
            int index = IndexWithShift(epoch: 4, dx, dy, maxShift);
            var image = new float[height * width];
            image[litY * width + litX] = 1f;

            ImageShift.Apply(image, 1, height, width, [index], Seed, 4, maxShift, fill: 0f);

            var expected = new float[height * width];
            expected[(litY + dy) * width + litX + dx] = 1f;
            Assert.True(expected.SequenceEqual(image), $"shift ({dx}, {dy}), sample {index}, seed {Seed}");
        }
    }

    [Fact]
    public void ImageShift_matches_a_nested_loop_reference_for_every_shift_of_a_non_square_image()
    {
        const int height = 5, width = 7, maxShift = 4;
        float[] original = RandomImage(height, width, seed: 11);
        foreach ((int dx, int dy) in AllShifts(maxShift))
        {
            int index = IndexWithShift(epoch: 0, dx, dy, maxShift);
            float[] image = (float[])original.Clone();

            ImageShift.Apply(image, 1, height, width, [index], Seed, 0, maxShift, fill: -9f);

            Assert.True(Reference(original, height, width, dx, dy, -9f).SequenceEqual(image), $"shift ({dx}, {dy}), seed {Seed}");
        }
    }

    [Fact]
    public void ImageShift_drops_pixels_shifted_out_and_sets_the_vacated_area_to_fill()
    {
        const int height = 6, width = 4, maxShift = 2;
        const float fill = -0.4242f;
        foreach ((int dx, int dy) in AllShifts(maxShift))
        {
            int index = IndexWithShift(epoch: 1, dx, dy, maxShift);
            float[] image = Enumerable.Repeat(1f, height * width).ToArray();

            ImageShift.Apply(image, 1, height, width, [index], Seed, 1, maxShift, fill);

            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    bool vacated = y - dy < 0 || y - dy >= height || x - dx < 0 || x - dx >= width;
                    Assert.Equal(vacated ? fill : 1f, image[y * width + x]);
                }
            }
            Assert.Equal((height - Math.Abs(dy)) * (width - Math.Abs(dx)), image.Count(v => v == 1f));
        }
    }

    [Fact]
    public void ImageShift_with_max_shift_zero_is_the_identity()
    {
        const int count = 3, height = 4, width = 5;
        float[] original = RandomImage(count * height, width, seed: 3);
        float[] batch = (float[])original.Clone();

        ImageShift.Apply(batch, count, height, width, [0, 1, 2], Seed, epoch: 7, maxShift: 0, fill: 123f);

        Assert.Equal(original, batch);
        Assert.Equal((0, 0), ImageShift.ShiftOf(Seed, 7, 1, maxShift: 0));
    }

    [Fact]
    public void ImageShift_gives_the_same_shift_for_the_same_seed_epoch_and_index()
    {
        for (int index = 0; index < 100; index++)
        {
            Assert.Equal(ImageShift.ShiftOf(Seed, 9, index, 2), ImageShift.ShiftOf(Seed, 9, index, 2));
        }
        var shifts = Enumerable.Range(0, 100).Select(i => ImageShift.ShiftOf(Seed, 9, i, 2)).ToArray();
        var otherSeed = Enumerable.Range(0, 100).Select(i => ImageShift.ShiftOf(Seed + 1, 9, i, 2)).ToArray();
        Assert.NotEqual(shifts, otherSeed);
    }

    [Fact]
    public void ImageShift_draws_every_shift_about_equally_often_across_epochs()
    {
        const int maxShift = 2, epochs = 25_000, sampleIndex = 12345;
        var counts = new Dictionary<(int, int), int>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var shift = ImageShift.ShiftOf(Seed, epoch, sampleIndex, maxShift);
            counts[shift] = counts.GetValueOrDefault(shift) + 1;
        }

        Assert.Equal(AllShifts(maxShift).OrderBy(s => s), counts.Keys.OrderBy(s => s));
        // Each of the 25 shifts expects 1000 draws, standard deviation about 31: the bounds are over 6 deviations wide.
        Assert.All(counts, pair => Assert.InRange(pair.Value, 800, 1200));
    }

    [Fact]
    public void ImageShift_draws_every_shift_about_equally_often_across_samples()
    {
        const int maxShift = 2, samples = 25_000;
        var counts = new Dictionary<(int, int), int>();
        for (int index = 0; index < samples; index++)
        {
            var shift = ImageShift.ShiftOf(Seed, epoch: 3, index, maxShift);
            counts[shift] = counts.GetValueOrDefault(shift) + 1;
        }

        Assert.Equal(25, counts.Count);
        Assert.All(counts, pair => Assert.InRange(pair.Value, 800, 1200));
    }

    [Fact]
    public void ImageShift_shifts_each_image_of_a_batch_by_its_own_ShiftOf_and_leaves_the_rest_alone()
    {
        const int height = 5, width = 7, maxShift = 2, epoch = 6;
        const float fill = 0.5f;
        int[] indices = [42, 3, 17, 0, 999, 5];
        int count = indices.Length, size = height * width;
        float[] original = RandomImage((count + 1) * height, width, seed: 5);
        float[] batch = (float[])original.Clone();

        ImageShift.Apply(batch, count, height, width, indices, Seed, epoch, maxShift, fill);

        for (int i = 0; i < count; i++)
        {
            (int dx, int dy) = ImageShift.ShiftOf(Seed, epoch, indices[i], maxShift);
            float[] expected = Reference(original[(i * size)..((i + 1) * size)], height, width, dx, dy, fill);
            Assert.True(expected.SequenceEqual(batch[(i * size)..((i + 1) * size)]), $"image {i} (sample {indices[i]}, shift ({dx}, {dy}))");
        }
        Assert.Equal(original[(count * size)..], batch[(count * size)..]);
    }

    [Fact]
    public void ImageShift_rejects_a_max_shift_as_large_as_the_smaller_side()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => ImageShift.Apply(new float[35], 1, 5, 7, [0], Seed, 0, maxShift: 5, fill: 0f));

        Assert.Equal("maxShift", e.ParamName);
        Assert.Contains("[0, 4]", e.Message);
    }

    [Fact]
    public void ImageShift_rejects_a_batch_too_short_for_count_images()
    {
        var e = Assert.Throws<ArgumentException>(
            () => ImageShift.Apply(new float[69], 2, 5, 7, [0, 1], Seed, 0, 2, 0f));

        Assert.Equal("batch", e.ParamName);
        Assert.Contains("70 floats", e.Message);
        Assert.Contains("69", e.Message);
    }

    [Fact]
    public void ImageShift_rejects_fewer_sample_indices_than_images()
    {
        var e = Assert.Throws<ArgumentException>(
            () => ImageShift.Apply(new float[70], 2, 5, 7, [0], Seed, 0, 2, 0f));

        Assert.Equal("sampleIndices", e.ParamName);
    }

    [Fact]
    public void ImageShift_rejects_a_negative_sample_index_before_shifting_anything()
    {
        float[] batch = RandomImage(10, 7, seed: 1);
        float[] original = (float[])batch.Clone();

        var e = Assert.Throws<ArgumentException>(
            () => ImageShift.Apply(batch, 2, 5, 7, [4, -1], Seed, 0, 2, 0f));

        Assert.Equal("sampleIndices", e.ParamName);
        Assert.Contains("sampleIndices[1] is -1", e.Message);
        Assert.Equal(original, batch);
    }

    // The definition, written out: out[y, x] = in[y − dy, x − dx] where that pixel exists, fill elsewhere.
    private static float[] Reference(float[] image, int height, int width, int dx, int dy, float fill)
    {
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int sy = y - dy, sx = x - dx;
                result[y * width + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? image[sy * width + sx] : fill;
            }
        }
        return result;
    }

    private static IEnumerable<(int Dx, int Dy)> AllShifts(int maxShift) =>
        from dy in Enumerable.Range(-maxShift, 2 * maxShift + 1)
        from dx in Enumerable.Range(-maxShift, 2 * maxShift + 1)
        select (dx, dy);

    // The first dataset index that ShiftOf gives the shift (dx, dy) at this epoch.
    private static int IndexWithShift(int epoch, int dx, int dy, int maxShift)
    {
        for (int index = 0; index < 1_000_000; index++)
        {
            if (ImageShift.ShiftOf(Seed, epoch, index, maxShift) == (dx, dy)) return index;
        }
        throw new InvalidOperationException($"No index below 1 000 000 gets shift ({dx}, {dy}) at epoch {epoch}, seed {Seed}.");
    }

    private static float[] RandomImage(int height, int width, ulong seed)
    {
        var image = new float[height * width];
        new Rng(seed).FillUniform(image, -1f, 1f);
        return image;
    }
}
