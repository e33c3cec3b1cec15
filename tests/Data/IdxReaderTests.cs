using TinyKd.Distill.Data;

namespace TinyKd.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void IdxReader_reads_back_the_images_IdxWriter_wrote(string name)
    {
        using var dir = new TempDirectory();
        var images = DataFixtures.Images(5, rows: 4, columns: 3);
        IdxWriter.WriteImages(dir.File(name), images);

        var read = IdxReader.ReadImages(dir.File(name));

        Assert.Equal((5, 4, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal(images.Pixels, read.Pixels);
    }

    [Theory]
    [InlineData("labels-idx1-ubyte")]
    [InlineData("labels-idx1-ubyte.gz")]
    public void IdxReader_reads_back_the_labels_IdxWriter_wrote(string name)
    {
        using var dir = new TempDirectory();
        var labels = DataFixtures.Labels(13);
        IdxWriter.WriteLabels(dir.File(name), labels);

        Assert.Equal(labels, IdxReader.ReadLabels(dir.File(name)));
    }

    [Fact]
    public void IdxReader_detects_gzip_by_its_magic_bytes_not_the_extension()
    {
        using var dir = new TempDirectory();
        var images = DataFixtures.Images(3);
        string path = dir.File("no-extension");
        DataFixtures.WriteGzip(path, DataFixtures.RawImages(images));

        Assert.Equal(images.Pixels, IdxReader.ReadImages(path).Pixels);
    }

    [Fact]
    public void IdxReader_reads_a_stream_that_cannot_seek()
    {
        var images = DataFixtures.Images(4);
        using var stream = new NonSeekableStream(DataFixtures.RawImages(images));

        Assert.Equal(images.Pixels, IdxReader.ReadImages(stream, "pipe").Pixels);
    }

    [Fact]
    public void IdxReader_rejects_wrong_magic_naming_the_file_and_both_numbers()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels-as-images.gz");
        IdxWriter.WriteLabels(path, DataFixtures.Labels(4));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("expected 0x00000803", e.Message);
        Assert.Contains("found 0x00000801", e.Message);
    }

    [Fact]
    public void IdxReader_rejects_truncated_file_naming_it_with_expected_and_actual_bytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("short-idx3-ubyte");
        byte[] raw = DataFixtures.RawImages(DataFixtures.Images(2, rows: 3, columns: 2));
        File.WriteAllBytes(path, raw[..^5]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("expected 28 bytes", e.Message);
        Assert.Contains("found 23", e.Message);
    }

    [Fact]
    public void IdxReader_rejects_truncated_gzip_file_naming_it()
    {
        using var dir = new TempDirectory();
        string whole = dir.File("whole.gz"), path = dir.File("cut.gz");
        IdxWriter.WriteImages(whole, DataFixtures.Images(50, rows: 28, columns: 28));
        byte[] compressed = File.ReadAllBytes(whole);
        File.WriteAllBytes(path, compressed[..(compressed.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void IdxReader_rejects_a_header_shorter_than_16_bytes()
    {
        using var stream = new MemoryStream([0, 0, 8, 3, 0, 0]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(stream, "tiny.idx"));

        Assert.Contains("tiny.idx", e.Message);
        Assert.Contains("16-byte header", e.Message);
    }

    [Fact]
    public void IdxReader_dataset_scales_pixels_to_unit_range_and_flattens_images()
    {
        using var dir = new TempDirectory();
        var images = DataFixtures.Images(6, rows: 2, columns: 2);
        IdxWriter.WriteImages(dir.File("i.gz"), images);
        IdxWriter.WriteLabels(dir.File("l.gz"), DataFixtures.Labels(6, classes: 3));

        var data = IdxReader.ReadDataset(dir.File("i.gz"), dir.File("l.gz"), classes: 3, "toy");

        Assert.Equal((6, 4, 3), (data.Count, data.FeatureCount, data.Classes));
        Assert.Equal(images.Pixels.Select(p => p / 255f), data.Features.ToArray());
        Assert.Equal([0, 1, 2, 0, 1, 2], data.Labels);
    }

    [Fact]
    public void IdxReader_rejects_count_mismatch_naming_both_files_and_counts()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images.gz"), labels = dir.File("labels.gz");
        IdxWriter.WriteImages(images, DataFixtures.Images(5));
        IdxWriter.WriteLabels(labels, DataFixtures.Labels(4));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, 10, "toy"));

        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("5 images", e.Message);
        Assert.Contains("4 labels", e.Message);
    }

    [Fact]
    public void IdxReader_rejects_label_out_of_range_naming_label_index_and_range()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images"), labels = dir.File("labels");
        IdxWriter.WriteImages(images, DataFixtures.Images(3));
        IdxWriter.WriteLabels(labels, [1, 12, 0]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, 10, "toy"));

        Assert.Contains(labels, e.Message);
        Assert.Contains("label 12 at index 1", e.Message);
        Assert.Contains("[0, 9]", e.Message);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
