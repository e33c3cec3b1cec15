using TinyKd.Distill.Metrics;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Metrics;

/// <summary>
/// The metrics against scikit-learn's definitions transcribed in numpy (scripts/make_metric_fixtures.py →
/// Fixtures/metrics.json): a binary scorer with many tied scores and an imbalanced three-class model.
/// </summary>
public class MetricFixtureTests
{
    private static readonly Fixture F = Fixture.Load("metrics");
    private static float[] BinaryScores => F.Get("binary_scores").ToArray();
    private static int[] BinaryLabels => F.Labels("binary_labels");
    private static float[] MultiProbabilities => F.Get("multi_probabilities").ToArray();
    private static int[] MultiLabels => F.Labels("multi_labels");

    private static void Near(string name, IReadOnlyList<double> actual) =>
        Check.Close(F.Get(name).ToArray(), actual.Select(v => (float)v).ToArray(), atol: 1e-6, rtol: 1e-6, what: name);

    [Fact]
    public void Roc_curve_matches_the_reference_point_by_point()
    {
        var roc = RocCurve.Compute(BinaryScores, BinaryLabels);

        Near("roc_fpr", roc.FalsePositiveRate);
        Near("roc_tpr", roc.TruePositiveRate);
        Assert.Equal(float.PositiveInfinity, roc.Thresholds[0]);
        Check.Close(F.Get("roc_thresholds").ToArray(), roc.Thresholds[1..], 0, 0, "roc_thresholds");
    }

    [Fact]
    public void Trapezoids_under_the_roc_curve_give_the_rank_AUC()
    {
        var roc = RocCurve.Compute(BinaryScores, BinaryLabels);
        double area = 0;
        for (int k = 1; k < roc.Count; k++)
            area += (roc.FalsePositiveRate[k] - roc.FalsePositiveRate[k - 1]) * (roc.TruePositiveRate[k] + roc.TruePositiveRate[k - 1]) / 2;

        Assert.Equal(RocAuc.Binary(BinaryScores, BinaryLabels), area, 12);
    }

    [Fact]
    public void Precision_recall_curve_matches_the_reference_point_by_point()
    {
        var pr = PrecisionRecallCurve.Compute(BinaryScores, BinaryLabels);

        Near("pr_precision", pr.Precision);
        Near("pr_recall", pr.Recall);
        Check.Close(F.Get("pr_thresholds").ToArray(), pr.Thresholds, 0, 0, "pr_thresholds");
    }

    [Fact]
    public void Average_precision_matches_the_reference()
    {
        Near("average_precision", [AveragePrecision.Binary(BinaryScores, BinaryLabels)]);
    }

    [Fact]
    public void Binary_Brier_score_matches_the_reference()
    {
        Near("brier_binary", [BrierScore.Binary(BinaryScores, BinaryLabels)]);
    }

    [Fact]
    public void Multi_class_Brier_score_matches_the_reference()
    {
        Near("brier_multi", [BrierScore.MultiClass(MultiProbabilities, 3, MultiLabels)]);
    }

    [Fact]
    public void Per_class_table_and_F1_averages_match_the_reference()
    {
        var scores = F1Score.PerClass(Predictions.ArgMax(MultiProbabilities, 3), MultiLabels, 3);

        Near("class_precision", scores.Precision);
        Near("class_recall", scores.Recall);
        Near("class_f1", scores.F1);
        Near("class_support", scores.Support.Select(s => (double)s).ToList());
        Near("macro_f1", [scores.MacroF1]);
        Near("micro_f1", [scores.MicroF1]);
        Near("weighted_f1", [scores.WeightedF1]);
    }

    [Fact]
    public void One_class_against_the_rest_gives_the_reference_average_precision()
    {
        var (scores, labels) = PositiveClass.Split(MultiProbabilities, 3, MultiLabels, positiveClass: 2);

        Near("multi_class2_average_precision", [AveragePrecision.Binary(scores, labels)]);
    }
}
