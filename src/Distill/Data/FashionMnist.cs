namespace TinyKd.Distill.Data;

/// <summary>
/// Loads Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28×28 greyscale images of 10 kinds of clothing, 60,000 for
/// training and 10,000 for testing, as datasets of 784 features scaled to [0, 1]. The full set comes from a folder of
/// the four standard IDX files (the Debian package <c>dataset-fashion-mnist</c>); a stratified sample of
/// 10,000 + 2,000 images is embedded in this assembly so that tests and demos need no download.
/// </summary>
public static class FashionMnist
{
    /// <summary>The number of classes.</summary>
    public const int Classes = 10;

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the full set.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    private const string ResourcePrefix = "TinyKd.Distill.Data.fashion-mnist-sample.";

    private const string InstallHint =
        "The full set is the Debian package dataset-fashion-mnist (files in " + DebianDirectory +
        "), installed by scripts/install-full-data.sh; or use 'sample' for the embedded sample.";

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

    /// <summary>
    /// Loads the embedded stratified sample: 10,000 training images (1,000 per class) and 2,000 test images
    /// (200 per class), made by <c>scripts/make_fashion_sample.py</c>. Works from any working directory; each call
    /// returns new datasets.
    /// </summary>
    public static (Dataset Train, Dataset Test) LoadEmbedded() => (LoadEmbeddedSplit("train"), LoadEmbeddedSplit("t10k"));

    /// <summary>
    /// Loads the set a command-line option names: null, empty or <c>sample</c> → the embedded sample;
    /// <c>full</c> → <see cref="DebianDirectory"/>; anything else → that folder (write <c>./sample</c> for a folder
    /// called sample). The keywords ignore case.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the set is missing from the folder.</exception>
    public static (Dataset Train, Dataset Test) Resolve(string? data)
    {
        if (string.IsNullOrEmpty(data) || data.Equals("sample", StringComparison.OrdinalIgnoreCase)) return LoadEmbedded();
        if (data.Equals("full", StringComparison.OrdinalIgnoreCase)) return Load(DebianDirectory);
        return Load(data);
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

    private static Dataset LoadEmbeddedSplit(string prefix)
    {
        using var images = OpenResource($"{prefix}-images-idx3-ubyte.gz", out string imagesName);
        using var labels = OpenResource($"{prefix}-labels-idx1-ubyte.gz", out string labelsName);
        var raw = IdxReader.ReadDataset(images, imagesName, labels, labelsName, Classes, SplitName("fashion-mnist-sample", prefix));
        return new Dataset(raw.Features, raw.Labels, Classes, raw.Name, $"embedded {imagesName}, {labelsName}", ClassNames);
    }

    private static Stream OpenResource(string file, out string name)
    {
        name = ResourcePrefix + file;
        var assembly = typeof(FashionMnist).Assembly;
        return assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException(
                $"The resource '{name}' is not embedded in {assembly.GetName().Name}; found: {string.Join(", ", assembly.GetManifestResourceNames())}.");
    }

    private static string SplitName(string set, string prefix) => $"{set}/{(prefix == "t10k" ? "test" : prefix)}";
}
