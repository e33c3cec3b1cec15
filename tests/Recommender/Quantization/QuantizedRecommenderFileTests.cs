using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Tests.Data;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Quantization;

// The int8 MF's model file: a round trip gives identical scores, the tables take a quarter of their fp32 bytes plus
// a scale per row, and a damaged file is refused naming the file and the fault.
public sealed class QuantizedRecommenderFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static InteractionData Data => RecommenderFixtures.Data;

    [Fact]
    public void Round_trip_gives_identical_scores()
    {
        var int8 = QuantizedMatrixFactorization.Quantize(QuantizedMatrixFactorizationTests.Fp32());
        string path = _dir.File("mf-int8.tkd");
        RecommenderFile.Save(path, int8);
        var loaded = Assert.IsType<QuantizedMatrixFactorization>(RecommenderFile.Load(path));
        float[] before = new float[Data.UserCount * Data.ItemCount], after = new float[before.Length];
        int8.ScoreAll(QuantizedMatrixFactorizationTests.AllUsers, before);
        loaded.ScoreAll(QuantizedMatrixFactorizationTests.AllUsers, after);
        Assert.True(before.AsSpan().SequenceEqual(after), "the loaded model scores differently");
        Assert.Equal(int8.Architecture, loaded.Architecture);
    }

    [Fact]
    public void The_int8_file_is_close_to_four_times_smaller_than_the_fp32_file()
    {
        const int width = 64;
        MatrixFactorization mf = QuantizedMatrixFactorizationTests.Fp32(width);
        var int8 = QuantizedMatrixFactorization.Quantize(mf);
        string fp32Path = _dir.File("mf.tkd"), int8Path = _dir.File("mf-int8.tkd");
        RecommenderFile.Save(fp32Path, mf);
        RecommenderFile.Save(int8Path, int8);
        long rows = Data.UserCount + Data.ItemCount;
        // Tables: d bytes + a 4-byte scale per row against 4·d bytes: 256 / 68 = 3.76× at d = 64.
        Assert.Equal(rows * (width + 4) + 4L * Data.ItemCount, int8.TableBytes);
        double ratio = (double)new FileInfo(fp32Path).Length / new FileInfo(int8Path).Length;
        Assert.InRange(ratio, 3.5, 4.0);
    }

    [Fact]
    public void A_float_array_where_int8_codes_belong_is_refused_naming_the_file_and_tensor()
    {
        string path = Rewrite(t => t.Name == "item.codes" ? StoredTensor.Float32("item.codes", t.ToInt8().Select(v => (float)v).ToArray(), [.. t.Dims]) : t);
        Check.Throws<InvalidDataException>(() => RecommenderFile.Load(path), path, "'item.codes'", "Int8 was expected");
    }

    [Fact]
    public void An_item_code_beyond_64_is_refused_naming_the_file()
    {
        string path = Rewrite(t => t.Name == "item.codes" ? StoredTensor.Int8("item.codes", [100, .. t.ToInt8().Skip(1)], [.. t.Dims]) : t);
        Check.Throws<InvalidDataException>(() => RecommenderFile.Load(path), path, "q[0, 0] = 100");
    }

    [Fact]
    public void A_missing_scale_table_is_refused_naming_the_file_and_tensor()
    {
        string path = Rewrite(t => t.Name == "user.scales" ? null : t);
        Check.Throws<InvalidDataException>(() => RecommenderFile.Load(path), path, "lacks the tensor 'user.scales'");
    }

    [Fact]
    public void Int8_codes_in_an_fp32_recommender_are_refused_naming_the_file()
    {
        string path = _dir.File("mf.tkd");
        RecommenderFile.Save(path, QuantizedMatrixFactorizationTests.Fp32());
        var (header, tensors) = TensorFile.ReadStored(path);
        TensorFile.Write(path, header, tensors.Values.Select(t => t.Name == "user.weight" ? StoredTensor.Int8(t.Name, new sbyte[t.Length], [.. t.Dims]) : t));
        Check.Throws<InvalidDataException>(() => RecommenderFile.Load(path), path, "'user.weight'", "Int8");
    }

    // A saved int8 MF with its arrays passed through edit (null drops one), the header kept.
    private string Rewrite(Func<StoredTensor, StoredTensor?> edit)
    {
        string path = _dir.File("edited.tkd");
        RecommenderFile.Save(path, QuantizedMatrixFactorization.Quantize(QuantizedMatrixFactorizationTests.Fp32()));
        var (header, tensors) = TensorFile.ReadStored(path);
        TensorFile.Write(path, header, tensors.Values.Select(edit).OfType<StoredTensor>().ToList());
        return path;
    }
}
