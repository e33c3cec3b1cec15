using TinyKd.Recommender;
using TinyKd.Tests.Data;
using TinyKd.Tests.Fuzz;

namespace TinyKd.Tests.Recommender.Models;

/// <summary>
/// Recommender model files with a valid checksum but a header that does not fit their tensors: refused naming the file,
/// before the embeddings the header describes are allocated.
/// </summary>
public sealed class RecommenderFileCorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("Users", int.MaxValue)]
    [InlineData("Items", 1_000_000)]
    [InlineData("Width", 0)]
    [InlineData("Genres", -1)]
    public void Load_rejects_counts_the_file_holds_no_parameters_for_before_allocating(string field, int value)
    {
        string path = _dir.File("neumf.tkd");
        File.WriteAllBytes(path, ValidFiles.Recommender());
        TkdContainer.EditHeader(path, h => h[field] = value);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => RecommenderFile.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(path, e.Message);
        Assert.InRange(allocated, 0, 1L << 20);
    }
}
