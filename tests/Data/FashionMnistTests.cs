using TinyKd.Distill.Data;
using TinyKd.Samples;

namespace TinyKd.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void Embedded_sample_has_10000_train_and_2000_test_images_of_784_pixels_in_10_classes()
    {
        var (train, test) = FashionMnistSample.Load();

        Assert.Equal((10000, 784, 10), (train.Count, train.FeatureCount, train.Classes));
        Assert.Equal((2000, 784, 10), (test.Count, test.FeatureCount, test.Classes));
    }

    [Fact]
    public void Embedded_sample_is_stratified_1000_train_and_200_test_per_class()
    {
        var (train, test) = FashionMnistSample.Load();

        Assert.All(train.CountPerClass(), count => Assert.Equal(1000, count));
        Assert.All(test.CountPerClass(), count => Assert.Equal(200, count));
    }

    [Fact]
    public void Embedded_sample_pixels_are_scaled_to_the_unit_interval_and_not_blank()
    {
        var (train, _) = FashionMnistSample.Load();
        var pixels = train.Features.Span;

        Assert.True(pixels.IndexOfAnyExceptInRange(0f, 1f) < 0);
        Assert.Equal(1f, pixels.ToArray().Max());
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sample")]
    [InlineData("SAMPLE")]
    public void Resolve_loads_the_embedded_sample_for_null_or_sample(string? data)
    {
        var (train, test) = FashionMnistSample.Resolve(data);

        Assert.Equal((10000, 2000), (train.Count, test.Count));
    }

    [Fact]
    public void Load_rejects_missing_folder_naming_it_and_the_Debian_package()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"tinykd-missing-{Guid.NewGuid():N}");

        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(missing));

        Assert.Contains(missing, e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains("scripts/install-full-data.sh", e.Message);
    }

    [Fact]
    public void Load_rejects_missing_file_naming_it_the_folder_and_the_Debian_package()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir, "train", 4, gzip: true);

        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.Path));

        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Load_reads_the_four_standard_files_gzipped_or_raw(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteSplit(dir, "train", 12, gzip);
        WriteSplit(dir, "t10k", 5, gzip);

        var (train, test) = FashionMnist.Load(dir.Path);

        Assert.Equal((12, 5, 6), (train.Count, test.Count, train.FeatureCount));
        Assert.Equal(("fashion-mnist/train", "fashion-mnist/test"), (train.Name, test.Name));
    }

    [FullDataFact]
    public void Full_set_from_the_Debian_package_has_60000_and_10000_images()
    {
        Assert.True(Directory.Exists(FashionMnist.DebianDirectory),
            $"{FashionMnist.DebianDirectory} is missing although {FullDataFactAttribute.RequireVariable}=1 (scripts/install-full-data.sh should have installed it)");

        var (train, test) = FashionMnistSample.Resolve("full");

        Assert.Equal((60000, 10000, 784), (train.Count, test.Count, train.FeatureCount));
        Assert.All(train.CountPerClass(), count => Assert.Equal(6000, count));
    }

    private static void WriteSplit(TempDirectory dir, string prefix, int count, bool gzip)
    {
        string extension = gzip ? ".gz" : "";
        IdxWriter.WriteImages(dir.File($"{prefix}-images-idx3-ubyte{extension}"), DataFixtures.Images(count));
        IdxWriter.WriteLabels(dir.File($"{prefix}-labels-idx1-ubyte{extension}"), DataFixtures.Labels(count));
    }
}
