using TinyKd.Autograd;
using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Data;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;
using Xunit.Abstractions;

namespace TinyKd.Tests.Recommender.Quantization;

// The int8 NeuMF: ScoreAll close to the fp32 model's and ranking nearly the same items first on every kernel path,
// pairwise scores equal to ScoreAll bit for bit whatever users share a call and on any thread count, its model file
// (identical scores after a round trip, about a quarter of the bytes, damage refused naming the file).
[Collection(CpuKernelSettingsCollection.Name)]
public sealed class QuantizedNeuMFTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static InteractionData Data => RecommenderFixtures.Data;

    private static NeuMF Fp32(string spec = "16:8:32-16", ulong seed = 4)
    {
        var model = new NeuMF(Data.UserCount, Data.ItemCount, RecommenderFixtures.Genres, NeuMFSpec.Parse(spec), new Rng(seed));
        model.Eval();
        return model;
    }

    private static float[] ScoreAll(RecommenderModel model, int[] users)
    {
        var scores = new float[users.Length * model.ItemCount];
        model.ScoreAll(users, scores);
        return scores;
    }

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Scores_stay_close_to_the_fp32_models_and_rank_the_same_items_first(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        NeuMF fp32 = Fp32();
        var int8 = QuantizedNeuMF.Quantize(fp32);
        int[] users = [.. Enumerable.Range(0, Data.UserCount)];
        float[] exact = ScoreAll(fp32, users), quantized = ScoreAll(int8, users);

        double mean = exact.Average(), spread = Math.Sqrt(exact.Average(s => (s - mean) * (s - mean)));
        double worst = exact.Zip(quantized, (a, b) => Math.Abs(a - b)).Max();
        int items = Data.ItemCount, overlap = 0;
        for (int u = 0; u < users.Length; u++)
        {
            var top = new HashSet<int>(TopTen(exact.AsSpan(u * items, items)));
            overlap += TopTen(quantized.AsSpan(u * items, items)).Count(top.Contains);
        }
        double agreement = overlap / (10.0 * users.Length);
        output.WriteLine($"{path}: score spread {spread:G4}, worst |int8 − fp32| {worst:G4}, top-10 agreement {agreement:P1}");
        Assert.True(worst <= 0.1 * spread, $"worst error {worst} against a score spread of {spread}");
        Assert.True(agreement >= 0.8, $"top-10 agreement {agreement:P1}");
    });

    private static int[] TopTen(ReadOnlySpan<float> scores) =>
        [.. scores.ToArray().Select((s, i) => (s, i)).OrderByDescending(p => p.s).ThenBy(p => p.i).Take(10).Select(p => p.i)];

    [Fact]
    public void Pairwise_scores_equal_ScoreAll_whatever_users_share_the_call_and_on_any_thread_count()
    {
        var int8 = QuantizedNeuMF.Quantize(Fp32(seed: 9));
        int user = 7, items = Data.ItemCount;
        float[] alone = ScoreAll(int8, [user]);
        float[] shared = ScoreAll(int8, [0, user, Data.UserCount - 1]);
        Assert.True(alone.AsSpan().SequenceEqual(shared.AsSpan(items, items)), "a user's scores changed with the users beside it");
        int saved = CpuKernels.Threads;
        try
        {
            CpuKernels.Threads = 1;
            Assert.True(alone.AsSpan().SequenceEqual(ScoreAll(int8, [user])), "one thread scores differently");
        }
        finally
        {
            CpuKernels.Threads = saved;
        }
        int[] pairItems = [3, 0, items - 1, 3];
        float[] pairs = new Graph(evaluationMode: true) is var g ? int8.Score(g, new int[] { user, user, user, user }, pairItems).Data.ToArray() : [];
        Assert.Equal(pairItems.Select(i => alone[i]), pairs);
    }

    [Fact]
    public void The_model_file_round_trips_to_identical_scores_in_about_a_quarter_of_the_bytes()
    {
        NeuMF fp32 = Fp32("32:8:64-32-16");
        var int8 = QuantizedNeuMF.Quantize(fp32);
        string fp32Path = _dir.File("neumf.tkd"), int8Path = _dir.File("neumf-int8.tkd");
        RecommenderFile.Save(fp32Path, fp32);
        RecommenderFile.Save(int8Path, int8);
        var loaded = Assert.IsType<QuantizedNeuMF>(RecommenderFile.Load(int8Path));
        int[] users = [0, 5, Data.UserCount - 1];
        Assert.True(ScoreAll(int8, users).AsSpan().SequenceEqual(ScoreAll(loaded, users)), "the loaded model scores differently");
        Assert.Equal(int8.Architecture, loaded.Architecture);
        Assert.Equal(int8.Genres.Indices, loaded.Genres.Indices);
        double ratio = (double)new FileInfo(fp32Path).Length / new FileInfo(int8Path).Length;
        output.WriteLine($"fp32 {new FileInfo(fp32Path).Length:N0} bytes, int8 {new FileInfo(int8Path).Length:N0} bytes ({ratio:F2}×); parameters {int8.ParameterBytes:N0} bytes");
        Assert.InRange(ratio, 3.0, 4.0);
    }

    [Theory]
    [InlineData("tower.2.codes", "q[0, 0] = 100")]
    [InlineData("user_mlp.scales", "lacks the tensor 'user_mlp.scales'")]
    [InlineData("item.genres", "whole numbers")]
    public void A_damaged_file_is_refused_naming_the_file_and_the_fault(string tensor, string fault)
    {
        string path = _dir.File("damaged.tkd");
        RecommenderFile.Save(path, QuantizedNeuMF.Quantize(Fp32()));
        var (header, tensors) = TensorFile.ReadStored(path);
        StoredTensor? Edit(StoredTensor t) => t.Name != tensor ? t
            : t.Type == ElementType.Int8 ? StoredTensor.Int8(t.Name, [100, .. t.ToInt8().Skip(1)], [.. t.Dims])
            : t.Name == "item.genres" ? StoredTensor.Float32(t.Name, [0.5f, .. t.ToFloat32().Skip(1)], [.. t.Dims])
            : null;
        TensorFile.Write(path, header, tensors.Values.Select(Edit).OfType<StoredTensor>().ToList());
        Check.Throws<InvalidDataException>(() => RecommenderFile.Load(path), path, fault);
    }
}
