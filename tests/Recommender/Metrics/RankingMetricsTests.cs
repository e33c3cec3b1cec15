using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Metrics;

public class RankingMetricsTests
{
    // Six items; item 0 is seen (excluded). Candidate order by score: 5 (0.8), 2 (0.7), 4 (0.5), 1 (0.3), 3 (0.1).
    private static readonly float[] SixScores = [0.9f, 0.3f, 0.7f, 0.1f, 0.5f, 0.8f];
    private static readonly int[] SeenItem0 = [0];
    private static readonly int[] SmallCutOffs = [1, 2, 3];

    private static double[] Metrics(float[] scores, int[] excluded, int[] positives, int[]? cutOffs = null) =>
        RankingReference.Metrics(new RankingMetrics(scores.Length, cutOffs ?? SmallCutOffs), scores, excluded, positives);

    private static void AssertMetrics(string[] names, double[] expected, double[] actual, int[]? cutOffs = null)
    {
        var all = new RankingMetrics(6, cutOffs ?? SmallCutOffs);
        for (int i = 0; i < names.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[all.IndexOf(names[i])]) < 1e-12,
                $"{names[i]}: expected {expected[i]:R}, got {actual[all.IndexOf(names[i])]:R}");
    }

    [Fact]
    public void Names_are_AUC_then_four_metrics_per_cut_off_then_MRR()
    {
        Assert.Equal(
            ["AUC", "HR@5", "Recall@5", "NDCG@5", "MAP@5", "HR@10", "Recall@10", "NDCG@10", "MAP@10",
             "HR@20", "Recall@20", "NDCG@20", "MAP@20", "MRR"],
            new RankingMetrics(30).Names);
        Assert.Equal(["AUC", "HR@1", "Recall@1", "NDCG@1", "MAP@1", "MRR"], RankingMetrics.NamesFor([1]));
    }

    [Fact]
    public void Index_of_an_unknown_metric_is_rejected_listing_the_known_ones()
    {
        var metrics = new RankingMetrics(10);

        Assert.Equal(7, metrics.IndexOf("NDCG@10"));
        Check.Throws<ArgumentException>(() => metrics.IndexOf("NDCG@7"), "NDCG@7", "NDCG@10");
    }

    [Fact]
    public void Cut_offs_that_are_not_strictly_increasing_are_rejected()
    {
        Check.Throws<ArgumentException>(() => new RankingMetrics(10, [5, 5]), "strictly increasing", "5, 5");
        Check.Throws<ArgumentException>(() => new RankingMetrics(10, [0, 3]), "positive");
        Check.Throws<ArgumentException>(() => new RankingMetrics(10, []), "empty");
    }

    [Fact]
    public void One_positive_at_rank_three_of_six_items_by_hand()
    {
        // Positive 4 is third among the five candidates; negatives 1, 3 score below it, 2 and 5 above: AUC 2/4.
        var v = Metrics(SixScores, SeenItem0, [4]);

        AssertMetrics(
            ["AUC", "HR@1", "Recall@1", "NDCG@1", "MAP@1", "HR@2", "Recall@2", "NDCG@2", "MAP@2",
             "HR@3", "Recall@3", "NDCG@3", "MAP@3", "MRR"],
            [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0.5, 1.0 / 3, 1.0 / 3], v);
    }

    [Fact]
    public void Two_positives_at_ranks_two_and_three_by_hand()
    {
        // Positives 2 (rank 2) and 4 (rank 3); negatives 5 (above both), 1 and 3 (below both): AUC 4/6.
        // NDCG@2 = (1/log2 3) / (1 + 1/log2 3); NDCG@3 = (1/log2 3 + 1/2) / (1 + 1/log2 3).
        // MAP@2 = (1/2)·(1/2); MAP@3 = (1/2)·(1/2 + 2/3).
        var v = Metrics(SixScores, SeenItem0, [2, 4]);
        double g3 = 1 / Math.Log2(3);

        AssertMetrics(
            ["AUC", "HR@1", "Recall@1", "NDCG@1", "MAP@1", "HR@2", "Recall@2", "NDCG@2", "MAP@2",
             "HR@3", "Recall@3", "NDCG@3", "MAP@3", "MRR"],
            [4.0 / 6, 0, 0, 0, 0, 1, 0.5, g3 / (1 + g3), 0.25, 1, 1, (g3 + 0.5) / (1 + g3), 7.0 / 12, 0.5], v);
    }

    [Fact]
    public void NDCG_and_MAP_normalise_by_the_smaller_of_the_positive_count_and_K()
    {
        // Positives 5 (rank 1) and 2 (rank 2); at K = 1 the ideal list holds one item, so both metrics are 1.
        var v = Metrics(SixScores, SeenItem0, [5, 2]);

        AssertMetrics(["HR@1", "Recall@1", "NDCG@1", "MAP@1", "NDCG@2", "MAP@2", "AUC", "MRR"], [1, 0.5, 1, 1, 1, 1, 1, 1], v);
    }

    [Fact]
    public void Excluded_items_are_not_candidates()
    {
        // Item 0 scores highest; excluded it is not ranked, included it pushes the positive from rank 3 to 4.
        var seen = Metrics(SixScores, SeenItem0, [4]);
        var unseen = Metrics(SixScores, [], [4]);

        AssertMetrics(["MRR", "AUC", "HR@3"], [1.0 / 3, 2.0 / 4, 1], seen);
        AssertMetrics(["MRR", "AUC", "HR@3"], [1.0 / 4, 2.0 / 5, 0], unseen);
    }

    [Fact]
    public void A_constant_scorer_puts_the_positive_last_and_has_AUC_one_half()
    {
        var v = Metrics([0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f], SeenItem0, [3], [1, 4, 5]);

        AssertMetrics(["AUC", "HR@4", "HR@5", "NDCG@5", "MAP@5", "MRR"], [0.5, 0, 1, 1 / Math.Log2(6), 0.2, 0.2], v, [1, 4, 5]);
    }

    [Fact]
    public void A_constant_scorer_puts_several_positives_at_the_bottom_ranks()
    {
        // Five candidates, positives 1 and 3 take ranks 4 and 5: MAP@5 = (1/2)·(1/4 + 2/5).
        var v = Metrics([0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f], SeenItem0, [1, 3], [3, 4, 5]);

        AssertMetrics(["AUC", "HR@3", "Recall@4", "Recall@5", "MAP@5", "MRR"], [0.5, 0, 0.5, 1, 0.325, 0.25], v, [3, 4, 5]);
    }

    [Fact]
    public void A_negative_tied_with_the_positive_ranks_before_it_and_counts_one_half_in_AUC()
    {
        // Candidates 1 (0.1), 2 (0.7), 3 (0.5, positive), 4 (0.2), 5 (0.5): 2 and the tied 5 rank first → rank 3.
        // AUC = (1 + 0 + 1 + ½) / 4.
        var v = Metrics([0.9f, 0.1f, 0.7f, 0.5f, 0.2f, 0.5f], SeenItem0, [3]);

        AssertMetrics(["AUC", "HR@2", "HR@3", "MRR"], [0.625, 0, 1, 1.0 / 3], v);
    }

    [Fact]
    public void Positives_tied_at_the_top_take_ranks_one_and_two_so_NDCG_and_MAP_stay_at_one()
    {
        var v = Metrics([0.1f, 0.9f, 0.9f, 0.1f, 0.5f, 0.2f], [], [2, 1]);

        AssertMetrics(["AUC", "NDCG@2", "MAP@2", "Recall@1", "NDCG@1", "MRR"], [1, 1, 1, 0.5, 1, 1], v);
    }

    [Fact]
    public void Metrics_match_the_literal_sorted_ranking_on_random_users_with_ties()
    {
        const ulong seed = 7;
        var rng = new Rng(seed);
        int[] cutOffs = [1, 3, 5, 10];
        var metrics = new RankingMetrics(40, cutOffs);
        for (int user = 0; user < 200; user++)
        {
            // Scores on a coarse grid so that ties are common.
            var scores = new float[40];
            for (int i = 0; i < scores.Length; i++) scores[i] = rng.NextInt(6) * 0.25f;
            var order = Enumerable.Range(0, 40).ToArray();
            rng.Shuffle(order.AsSpan());
            int[] positives = order[..(1 + rng.NextInt(5))];
            int[] excluded = order[6..(6 + rng.NextInt(20))];

            var expected = RankingReference.Compute(scores, excluded, positives, cutOffs);
            var actual = RankingReference.Metrics(metrics, scores, excluded, positives, user);

            RankingReference.AssertClose(expected, actual, metrics.Names, $"seed {seed}, user {user}:");
        }
    }

    [Fact]
    public void A_user_without_positives_is_rejected_naming_the_user()
    {
        var e = Check.Throws<ArgumentException>(
            () => RankingReference.Metrics(new RankingMetrics(6, SmallCutOffs), SixScores, SeenItem0, [], user: 17), "User 17 has no positive");

        Assert.Equal("positives", e.ParamName);
    }

    [Fact]
    public void A_NaN_score_is_rejected_naming_the_user_and_the_item()
    {
        float[] scores = [0.1f, 0.2f, float.NaN, 0.4f, 0.5f, 0.6f];

        var e = Check.Throws<ArgumentException>(
            () => RankingReference.Metrics(new RankingMetrics(6, SmallCutOffs), scores, SeenItem0, [4], user: 17), "User 17", "item 2 is NaN");

        Assert.Equal("scores", e.ParamName);
    }

    [Fact]
    public void A_positive_that_is_excluded_is_rejected_naming_it()
    {
        Check.Throws<ArgumentException>(() => Metrics(SixScores, [0, 4], [4]), "positive item 4 is also excluded");
    }

    [Fact]
    public void A_positive_listed_twice_is_rejected()
    {
        Check.Throws<ArgumentException>(() => Metrics(SixScores, SeenItem0, [4, 4]), "positive item 4 is listed twice");
    }

    [Fact]
    public void An_item_out_of_range_is_rejected_naming_it_and_the_list()
    {
        var e = Check.Throws<ArgumentException>(() => Metrics(SixScores, [0, 6], [4]), "item 6", "[0, 5]");
        Assert.Equal("excluded", e.ParamName);

        e = Check.Throws<ArgumentException>(() => Metrics(SixScores, SeenItem0, [-1]), "item -1");
        Assert.Equal("positives", e.ParamName);
    }

    [Fact]
    public void A_score_row_of_the_wrong_length_is_rejected()
    {
        Check.Throws<ArgumentException>(
            () => RankingReference.Metrics(new RankingMetrics(7, SmallCutOffs), SixScores, SeenItem0, [4], user: 3), "User 3", "6 entries", "7");
    }

    [Fact]
    public void A_user_with_no_negative_candidate_is_rejected()
    {
        Check.Throws<ArgumentException>(() => Metrics(SixScores, [0, 1, 3, 5], [2, 4]), "no negative candidate");
    }

    [Fact]
    public void A_rejected_user_leaves_nothing_behind_for_the_next()
    {
        var metrics = new RankingMetrics(6, SmallCutOffs);
        var before = RankingReference.Metrics(metrics, SixScores, SeenItem0, [4]);

        Assert.Throws<ArgumentException>(() => RankingReference.Metrics(metrics, SixScores, [1, 2, 5], [2]));
        var after = RankingReference.Metrics(metrics, SixScores, SeenItem0, [4]);

        Assert.Equal(before, after);
    }
}
