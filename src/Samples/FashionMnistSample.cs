using TinyKd.Distill.Data;

namespace TinyKd.Samples;

/// <summary>
/// A stratified sample of Fashion-MNIST embedded in this assembly: 10,000 training images (1,000 per class) and
/// 2,000 test images (200 per class), made by <c>scripts/make_fashion_sample.py</c> (MIT licence, Zalando SE; the
/// notice is <c>fashion-mnist-sample/LICENSE</c> in this package). The full set is read from its IDX files by
/// <see cref="FashionMnist.Load"/> in TinyKd.Distill, which carries no data.
/// </summary>
public static class FashionMnistSample
{
    private const string ResourcePrefix = "TinyKd.Samples.fashion-mnist-sample.";

    /// <summary>
    /// Loads the sample as datasets of 784 features scaled to [0, 1] with <see cref="FashionMnist.ClassNames"/>.
    /// Works from any working directory; each call returns new datasets.
    /// </summary>
    public static (Dataset Train, Dataset Test) Load() => (LoadSplit("train", "train"), LoadSplit("t10k", "test"));

    /// <summary>
    /// Loads the set a command-line option names: null, empty or <c>sample</c> → this sample;
    /// <c>full</c> → <see cref="FashionMnist.DebianDirectory"/>; anything else → that folder (write <c>./sample</c>
    /// for a folder called sample), read by <see cref="FashionMnist.Load"/>. The keywords ignore case.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the set is missing from the folder.</exception>
    public static (Dataset Train, Dataset Test) Resolve(string? data)
    {
        if (string.IsNullOrEmpty(data) || data.Equals("sample", StringComparison.OrdinalIgnoreCase)) return Load();
        if (data.Equals("full", StringComparison.OrdinalIgnoreCase)) return FashionMnist.Load(FashionMnist.DebianDirectory);
        return FashionMnist.Load(data);
    }

    private static Dataset LoadSplit(string prefix, string split)
    {
        using var images = OpenResource($"{prefix}-images-idx3-ubyte.gz", out string imagesName);
        using var labels = OpenResource($"{prefix}-labels-idx1-ubyte.gz", out string labelsName);
        var raw = IdxReader.ReadDataset(images, imagesName, labels, labelsName, FashionMnist.Classes, $"fashion-mnist-sample/{split}");
        return new Dataset(raw.Features, raw.Labels, FashionMnist.Classes, raw.Name, $"embedded {imagesName}, {labelsName}", FashionMnist.ClassNames);
    }

    private static Stream OpenResource(string file, out string name)
    {
        name = ResourcePrefix + file;
        var assembly = typeof(FashionMnistSample).Assembly;
        return assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException(
                $"The resource '{name}' is not embedded in {assembly.GetName().Name}; found: {string.Join(", ", assembly.GetManifestResourceNames())}.");
    }
}
