namespace TinyKd.Distill.Data;

/// <summary>
/// Loads Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28×28 greyscale images of 10 kinds of clothing, 60,000 for
/// training and 10,000 for testing, as datasets of 784 features scaled to [0, 1]. The full set comes from a folder of
/// the four standard IDX files (the Debian package <c>dataset-fashion-mnist</c>). A stratified sample of
/// 10,000 + 2,000 images that needs no download is the separate package TinyKd.Samples
/// (<c>FashionMnistSample.Load()</c>): this library carries no data.
/// </summary>
public static class FashionMnist
{
    /// <summary>The number of classes.</summary>
    public const int Classes = 10;

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the full set.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    private const string InstallHint =
        "The full set is the Debian package dataset-fashion-mnist (files in " + DebianDirectory +
        "), installed by scripts/install-full-data.sh; or the sample in TinyKd.Samples ('--data sample' in tinykd).";

    /// <summary>The class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training and test sets from <paramref name="directory"/>, which holds
    /// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
    /// <c>t10k-labels-idx1-ubyte</c>, each gzipped (<c>.gz</c>, as the Debian package and the original site ship
    /// them) or raw, with <c>-</c> or <c>.</c> before <c>idx</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message names it and says how to install the set.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the folder, the file and how to install the set.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (see <see cref="IdxReader"/>).</exception>
    public static (Dataset Train, Dataset Test) Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The Fashion-MNIST folder '{directory}' does not exist. {InstallHint}");
        return (LoadSplit(directory, "train"), LoadSplit(directory, "t10k"));
    }

    private static Dataset LoadSplit(string directory, string prefix)
    {
        string images = FindFile(directory, $"{prefix}-images", "idx3-ubyte");
        string labels = FindFile(directory, $"{prefix}-labels", "idx1-ubyte");
        var raw = IdxReader.ReadDataset(images, labels, Classes, SplitName("fashion-mnist", prefix));
        return new Dataset(raw.Features, raw.Labels, Classes, raw.Name, raw.Source, ClassNames);
    }

    private static string FindFile(string directory, string stem, string kind)
    {
        string[] candidates =
        [
            $"{stem}-{kind}.gz", $"{stem}-{kind}", $"{stem}.{kind}.gz", $"{stem}.{kind}",
        ];
        foreach (string candidate in candidates)
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"The Fashion-MNIST folder '{directory}' has no {stem}-{kind} file (looked for {string.Join(", ", candidates)}). {InstallHint}",
            Path.Combine(directory, candidates[0]));
    }

    private static string SplitName(string set, string prefix) => $"{set}/{(prefix == "t10k" ? "test" : prefix)}";
}
