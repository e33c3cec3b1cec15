using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Metrics;

public class RankingEvaluatorTests
{
    private const int Users = 11, Items = 15;
    private static readonly int[] CutOffs = [1, 3, 5];

    // A fixed score matrix [Users, Items] with ties, two seen items and one or two positives per user.
    private sealed class Fixture
    {
        public readonly float[] Scores = new float[Users * Items];
        public readonly int[][] Seen = new int[Users][];
        public readonly int[][] Positives = new int[Users][];

        public Fixture(ulong seed)
        {
            var rng = new Rng(seed);
            for (int i = 0; i < Scores.Length; i++) Scores[i] = rng.NextInt(8) * 0.5f - 1;
            for (int u = 0; u < Users; u++)
            {
                var order = Enumerable.Range(0, Items).ToArray();
                rng.Shuffle(order.AsSpan());
                Seen[u] = order[..2];
                Positives[u] = order[2..(3 + u % 2)];
            }
        }

        public void Score(ReadOnlySpan<int> users, Span<float> scores)
        {
            for (int r = 0; r < users.Length; r++)
                Scores.AsSpan(users[r] * Items, Items).CopyTo(scores.Slice(r * Items, Items));
        }

        public RankingResult Evaluate(IReadOnlyList<int> users, int batchSize) =>
            RankingEvaluator.Evaluate(users, Items, Score, u => Seen[u], u => Positives[u], CutOffs, batchSize);
    }

    private static readonly int[] AllUsers = [3, 0, 7, 10, 1, 2, 9, 4, 8, 6, 5];

    [Fact]
    public void Batched_evaluation_equals_one_call_per_user()
    {
        var data = new Fixture(seed: 11);
        var metrics = new RankingMetrics(Items, CutOffs);

        foreach (int batchSize in new[] { 1, 4, 64 })
        {
            var result = data.Evaluate(AllUsers, batchSize);

            Assert.Equal(AllUsers, result.Users);
            Assert.Equal(metrics.Names, result.MetricNames);
            for (int i = 0; i < AllUsers.Length; i++)
            {
                int u = AllUsers[i];
                var expected = RankingReference.Metrics(metrics, data.Scores[(u * Items)..((u + 1) * Items)], data.Seen[u], data.Positives[u], u);
                for (int m = 0; m < expected.Length; m++)
                    Assert.True(expected[m] == result.Values(metrics.Names[m])[i], $"batch {batchSize}, user {u}, {metrics.Names[m]}");
            }
        }
    }

    [Fact]
    public void Mean_averages_the_per_user_values()
    {
        var result = new Fixture(seed: 12).Evaluate(AllUsers, 4);

        Assert.Equal(result.Values("NDCG@3").ToArray().Average(), result.Mean("NDCG@3"), 12);
    }

    [Fact]
    public void Subset_keeps_the_result_order_and_the_rows_of_the_chosen_users()
    {
        var result = new Fixture(seed: 13).Evaluate(AllUsers, 4);

        var cold = result.Subset([9, 0, 5]);

        Assert.Equal([0, 9, 5], cold.Users);
        Assert.Equal(
            [result.Values("MRR")[1], result.Values("MRR")[6], result.Values("MRR")[10]],
            cold.Values("MRR").ToArray());
    }

    [Fact]
    public void Subset_rejects_a_user_not_in_the_result()
    {
        var result = new Fixture(seed: 14).Evaluate([1, 2, 3], 4);

        Check.Throws<ArgumentException>(() => result.Subset([2, 8]), "User 8 is not in this result");
    }

    [Fact]
    public void The_mean_of_an_empty_group_is_rejected()
    {
        var empty = new Fixture(seed: 15).Evaluate([1, 2], 4).Subset([]);

        Check.Throws<InvalidOperationException>(() => empty.Mean("AUC"), "no user");
    }

    [Fact]
    public void An_unknown_metric_is_rejected_listing_the_known_ones()
    {
        var result = new Fixture(seed: 16).Evaluate([1, 2], 4);

        Check.Throws<ArgumentException>(() => result.Mean("NDCG@10"), "NDCG@10", "NDCG@5");
    }

    [Fact]
    public void A_row_the_scorer_leaves_unwritten_is_reported_as_NaN_naming_the_user()
    {
        var data = new Fixture(seed: 17);
        UserScorer lazy = (users, scores) => scores[..Items].Fill(0.5f);

        Check.Throws<ArgumentException>(
            () => RankingEvaluator.Evaluate([4, 6], Items, lazy, u => data.Seen[u], u => data.Positives[u], CutOffs),
            "User 6", "NaN");
    }

    [Fact]
    public void A_user_without_positives_is_rejected_naming_the_user()
    {
        var data = new Fixture(seed: 18);

        Check.Throws<ArgumentException>(
            () => RankingEvaluator.Evaluate(
                [2, 17], Items, (users, scores) => scores.Fill(0), u => data.Seen[u % Users], u => u == 17 ? Array.Empty<int>() : data.Positives[u], CutOffs),
            "User 17 has no positive");
    }

    [Fact]
    public void A_user_listed_twice_is_rejected()
    {
        Check.Throws<ArgumentException>(() => new Fixture(seed: 19).Evaluate([1, 2, 1], 4), "User 1 is listed twice");
    }
}
