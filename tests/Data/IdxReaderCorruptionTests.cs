using System.Buffers.Binary;
using TinyKd.Distill.Data;
using TinyKd.Tests.Fuzz;

namespace TinyKd.Tests.Data;

/// <summary>
/// Corrupt and hostile IDX files: each is refused with an <see cref="InvalidDataException"/> naming the file, before
/// a buffer of the declared size is allocated.
/// </summary>
public class IdxReaderCorruptionTests
{
    // Generous for the reader's own bookkeeping and its first gzip buffer (1 MiB); far below any declared size here.
    private const long SmallAllocation = 4L << 20;

    [Fact]
    public void IdxReader_rejects_a_gzip_file_whose_crc_does_not_match_naming_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels.gz");
        byte[] gzip = ValidFiles.Gzip(ValidFiles.IdxLabels());
        gzip[^8] ^= 0x01;
        File.WriteAllBytes(path, gzip);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void IdxReader_rejects_trailing_bytes_in_a_raw_file_naming_it_and_both_lengths()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels-idx1-ubyte");
        File.WriteAllBytes(path, [.. ValidFiles.IdxLabels(), 7, 7, 7]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("3 trailing bytes", e.Message);
        Assert.Contains("20 bytes in all", e.Message);
    }

    [Fact]
    public void IdxReader_rejects_decompressed_bytes_after_the_declared_elements_naming_the_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels.gz");
        File.WriteAllBytes(path, ValidFiles.Gzip([.. ValidFiles.IdxLabels(), 1]));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("trailing bytes after decompression", e.Message);
    }

    [Theory]
    [InlineData(int.MaxValue, "more than an array can hold")]
    [InlineData(1_000_000_000, "truncated")]
    public void IdxReader_rejects_a_labels_header_declaring_more_than_the_file_holds_without_allocating_it(int count, string fault)
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels-idx1-ubyte");
        File.WriteAllBytes(path, Header(IdxReader.LabelsMagic, count));

        var (e, allocated) = Reading(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(fault, e.Message);
        Assert.InRange(allocated, 0, SmallAllocation);
    }

    [Theory]
    [InlineData(65_536, 65_536, 65_536)]
    [InlineData(int.MaxValue, int.MaxValue, 2)]
    [InlineData(3, int.MaxValue - 55, 1)]
    public void IdxReader_rejects_an_images_header_whose_size_overflows_naming_the_file(int count, int rows, int columns)
    {
        using var dir = new TempDirectory();
        string path = dir.File("images-idx3-ubyte");
        File.WriteAllBytes(path, [.. Header(IdxReader.ImagesMagic, count, rows, columns), 1, 2, 3]);

        var (e, allocated) = Reading(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.InRange(allocated, 0, SmallAllocation);
    }

    [Fact]
    public void IdxReader_rejects_a_gzip_bomb_by_the_deflate_bound_without_allocating_its_declared_size()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bomb-idx1-ubyte.gz");
        byte[] bomb = ValidFiles.Gzip([.. Header(IdxReader.LabelsMagic, 1_000_000_000), .. new byte[8 << 20]]);
        File.WriteAllBytes(path, bomb);

        var (e, allocated) = Reading(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("deflate inflates at most 1032:1", e.Message);
        Assert.InRange(allocated, 0, SmallAllocation);
    }

    [Fact]
    public void IdxReader_allocates_for_a_short_gzip_stream_in_proportion_to_its_data_not_its_header()
    {
        using var dir = new TempDirectory();
        string path = dir.File("short-idx1-ubyte.gz");
        var data = new byte[200_000];
        new Random(1).NextBytes(data);
        File.WriteAllBytes(path, ValidFiles.Gzip([.. Header(IdxReader.LabelsMagic, 100_000_000), .. data]));

        var (e, allocated) = Reading(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.InRange(allocated, 0, SmallAllocation);
    }

    [Fact]
    public void IdxReader_refuses_a_gzip_file_declaring_more_than_the_cap()
    {
        using var dir = new TempDirectory();
        string path = dir.File("huge-idx3-ubyte.gz");
        var noise = new byte[1_100_000];
        new Random(2).NextBytes(noise);
        File.WriteAllBytes(path, ValidFiles.Gzip([.. Header(IdxReader.ImagesMagic, 2_000_000, 28, 28), .. noise]));

        var (e, allocated) = Reading(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains($"{IdxReader.MaxGzipPayloadBytes}-byte cap", e.Message);
        Assert.InRange(allocated, 0, SmallAllocation);
    }

    private static byte[] Header(int magic, params int[] dimensions)
    {
        var header = new byte[4 + 4 * dimensions.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);
        return header;
    }

    private static (InvalidDataException Error, long Allocated) Reading(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(read);
        return (e, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
