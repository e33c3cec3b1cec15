using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Tests.Data;

/// <summary>Small deterministic datasets and IDX contents for the data tests.</summary>
internal static class DataFixtures
{
    /// <summary><paramref name="count"/> images whose pixel k of image i is (7i + k) mod 256.</summary>
    public static IdxImages Images(int count, int rows = 3, int columns = 2)
    {
        var pixels = new byte[count * rows * columns];
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < rows * columns; k++) pixels[i * rows * columns + k] = (byte)((7 * i + k) % 256);
        }
        return new IdxImages(pixels, count, rows, columns);
    }

    /// <summary><paramref name="count"/> labels cycling through 0 … classes − 1.</summary>
    public static byte[] Labels(int count, int classes = 10)
    {
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % classes);
        return labels;
    }

    /// <summary>
    /// A dataset of <paramref name="count"/> rows of <paramref name="features"/> floats whose first feature is the row
    /// index, so a batch row tells which example it came from; labels cycle through the classes.
    /// </summary>
    public static Dataset Indexed(int count, int features = 3, int classes = 4)
    {
        var x = new float[count * features];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            x[i * features] = i;
            for (int j = 1; j < features; j++) x[i * features + j] = i * 0.5f + j;
            labels[i] = i % classes;
        }
        return new Dataset(Tensor.FromArray(x, count, features), labels, classes, "indexed");
    }

    /// <summary>Writes <paramref name="bytes"/> gzip-compressed to <paramref name="path"/>.</summary>
    public static void WriteGzip(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        gzip.Write(bytes);
    }

    /// <summary>The raw IDX bytes of <paramref name="images"/>.</summary>
    public static byte[] RawImages(IdxImages images)
    {
        using var memory = new MemoryStream();
        IdxWriter.WriteImages(memory, images);
        return memory.ToArray();
    }
}
