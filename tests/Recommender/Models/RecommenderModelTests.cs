using TinyKd.Autograd;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Models;

/// <summary>NeuMF and MF: pair scores, full-item scoring, sparse table gradients and the model file.</summary>
public class RecommenderModelTests
{
    private static InteractionData Data => RecommenderFixtures.Data;

    internal static RecommenderModel[] Models() =>
    [
        new NeuMF(Data.UserCount, Data.ItemCount, RecommenderFixtures.Genres, new NeuMFSpec(8, 4, [16, 8]), new Rng(1)),
        new MatrixFactorization(Data.UserCount, Data.ItemCount, 6, new Rng(2)),
    ];

    [Fact]
    public void ScoreAll_equals_scoring_each_pair()
    {
        foreach (var model in Models())
        {
            int[] users = [0, 7, Data.UserCount - 1];
            var all = new float[users.Length * Data.ItemCount];
            model.ScoreAll(users, all);
            var graph = new Graph();
            int[] pairUsers = [7, 0, Data.UserCount - 1], pairItems = [3, Data.ItemCount - 1, 0];
            float[] pairs;
            using (GradMode.NoGrad()) pairs = model.Score(graph, pairUsers, pairItems).Data.ToArray();
            Assert.Equal(all[1 * Data.ItemCount + 3], pairs[0], 6);
            Assert.Equal(all[0 * Data.ItemCount + Data.ItemCount - 1], pairs[1], 6);
            Assert.Equal(all[2 * Data.ItemCount + 0], pairs[2], 6);
        }
    }

    [Fact]
    public void The_scoring_shortcuts_equal_the_pairwise_forward_on_every_item_also_after_training()
    {
        foreach (var model in Models())
        {
            AssertShortcutMatches(model);
            new RecommenderTrainer(model, Data, new RecommenderTrainingOptions { Epochs = 1, LearningRate = 0.01f }).RunEpoch();
            AssertShortcutMatches(model);
        }
    }

    // ScoreAll (the model's shortcut, possibly reusing a precomputation) against the pairwise training forward.
    private static void AssertShortcutMatches(RecommenderModel model)
    {
        int[] users = [0, 5, 6, Data.UserCount - 1];
        var fast = new float[users.Length * Data.ItemCount];
        model.ScoreAll(users, fast);
        int[] pairUsers = users.SelectMany(u => Enumerable.Repeat(u, Data.ItemCount)).ToArray();
        int[] pairItems = users.SelectMany(_ => Enumerable.Range(0, Data.ItemCount)).ToArray();
        float[] pairwise;
        using (GradMode.NoGrad()) pairwise = model.Score(new Graph(), pairUsers, pairItems).Data.ToArray();
        Check.Close(pairwise, fast, 1e-5, 1e-5, model.Architecture);
    }

    [Fact]
    public void A_backward_pass_touches_only_the_rows_of_the_batch()
    {
        foreach (var model in Models())
        {
            var graph = new Graph();
            Ops.Sum(model.Score(graph, new[] { 4, 4, 9 }, new[] { 11, 12, 11 })).Backward();
            foreach (var (name, p) in model.NamedParameters())
            {
                if (p.SparseGrad is not { } sparse) continue;
                int[] expected = name.StartsWith("user", StringComparison.Ordinal) ? [4, 9]
                    : name.StartsWith("genre", StringComparison.Ordinal) ? [.. GenresOf(11, 12)]
                    : [11, 12];
                Assert.Equal(expected.Order(), sparse.Rows.ToArray().Order());
            }
        }
    }

    private static IEnumerable<int> GenresOf(params int[] items) => items.SelectMany(i => Data.ItemGenres(i).ToArray()).Distinct();

    [Fact]
    public void Model_file_round_trip_scores_identically_and_damage_is_named()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tinykd-recfile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var model in Models())
            {
                string path = Path.Combine(dir, model.Architecture.Replace(' ', '_') + ".tkd");
                RecommenderFile.Save(path, model);
                var loaded = RecommenderFile.Load(path);
                Assert.Equal(model.Architecture, loaded.Architecture);
                var a = new float[2 * Data.ItemCount];
                var b = new float[2 * Data.ItemCount];
                model.ScoreAll([1, 2], a);
                loaded.ScoreAll([1, 2], b);
                Assert.Equal(a, b);
                byte[] bytes = File.ReadAllBytes(path);
                bytes[bytes.Length / 2] ^= 0x40;
                File.WriteAllBytes(path, bytes);
                Assert.Contains(path, Assert.Throws<InvalidDataException>(() => RecommenderFile.Load(path)).Message);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bad_pairs_and_buffers_are_rejected_clearly()
    {
        var model = Models()[0];
        var graph = new Graph();
        Assert.Contains("score pairs one to one", Assert.Throws<ArgumentException>(() => model.Score(graph, new[] { 1, 2 }, new[] { 3 })).Message);
        Assert.Contains($"Index {Data.ItemCount} at position 0", Assert.Throws<ArgumentOutOfRangeException>(() => model.Score(graph, new[] { 1 }, new[] { Data.ItemCount })).Message);
        Assert.Contains("needs", Assert.Throws<ArgumentException>(() => model.ScoreAll([1], new float[3])).Message);
        Assert.Contains("WIDTH:GENRE_WIDTH:HIDDEN", Assert.Throws<ArgumentException>(() => NeuMFSpec.Parse("64:16")).Message);
    }
}

[Collection(AllocationCollection.Name)]
public class RecommenderServingAllocationTests
{
    [Fact]
    public void Serving_one_user_allocates_nothing_once_warm_in_either_mode()
    {
        foreach (var model in RecommenderModelTests.Models().Concat(RecommenderModelTests.Models().Select(m => (RecommenderModel)m.Eval())))
        {
            int[] user = [3];
            var scores = new float[RecommenderFixtures.Data.ItemCount];
            Allocations.AssertNone(() => model.ScoreAll(user, scores), $"{model.Architecture}.ScoreAll of one user");
        }
    }

    [Fact]
    public void Scoring_items_with_more_genres_than_any_batch_before_allocates_nothing()
    {
        // The graph hands out buffers by size; NeuMF's genre-index buffer must be sized for the most genres a batch
        // could have, or a batch of genre-rich items after warm-up batches of genre-poor ones grows it.
        var model = (NeuMF)RecommenderModelTests.Models()[0];
        int[] byGenreCount = Enumerable.Range(0, model.ItemCount).OrderBy(i => model.Genres.Of(i).Length).ToArray();
        int[] fewest = byGenreCount[..16], most = byGenreCount[^16..], users = new int[16];
        Assert.True(most.Sum(i => model.Genres.Of(i).Length) > fewest.Sum(i => model.Genres.Of(i).Length), "the fixture's items all have as many genres");
        var graph = new Graph();
        const int warmUp = 3;
        int call = 0;
        Allocations.AssertNone(() =>
        {
            graph.Reset();
            using var _ = GradMode.NoGrad();
            model.Score(graph, users, call++ < warmUp ? fewest : most);
        }, "NeuMF scoring 16 items with the most genres after warm-up batches with the fewest", warmUp);
    }
}
