using System.Globalization;
using TinyKd.Distill.Metrics;

namespace TinyKd.Distill.Reports;

/// <summary>One class's row of the per-class table.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Precision">True positives / predicted as the class (0 when never predicted).</param>
/// <param name="Recall">True positives / examples of the class (0 when absent).</param>
/// <param name="F1">2·P·R / (P + R) (0 when both are 0).</param>
/// <param name="Support">Examples of the class in the test set.</param>
public sealed record ClassRow(string Name, double Precision, double Recall, double F1, int Support);

/// <summary>A curve of a binary task as (x, y) points, thinned for drawing (see <see cref="ClassificationDetail.MaxCurvePoints"/>).</summary>
/// <param name="X">The x of each point (ROC: false-positive rate; PR: recall).</param>
/// <param name="Y">The y of each point (ROC: true-positive rate; PR: precision).</param>
public sealed record CurvePoints(IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>The binary view of a model: its positive class, the areas and curves, the class's own scores.</summary>
/// <param name="PositiveClass">The positive class's name.</param>
/// <param name="Chosen">True when the user named it (--positive-class); false when it is the default, the second class in sorted order.</param>
/// <param name="RocAuc">Area under the ROC curve (NaN when the test set holds one class only).</param>
/// <param name="AveragePrecision">Average precision, the PR-AUC (NaN without a positive).</param>
/// <param name="Precision">Precision of the positive class at the arg-max decision.</param>
/// <param name="Recall">Recall of the positive class.</param>
/// <param name="F1">F1 of the positive class.</param>
/// <param name="Roc">The ROC curve (false-positive rate, true-positive rate), or null with <see cref="RocAuc"/> NaN.</param>
/// <param name="PrecisionRecall">The precision–recall curve (recall, precision), or null with <see cref="AveragePrecision"/> NaN.</param>
public sealed record BinaryDetail(string PositiveClass, bool Chosen, double RocAuc, double AveragePrecision, double Precision, double Recall,
    double F1, CurvePoints? Roc, CurvePoints? PrecisionRecall);

/// <summary>
/// How one model (its first seed) classifies the test set beyond accuracy: the confusion matrix with class names, the
/// per-class table, the imbalance-aware scores and, for a binary task (or a chosen class against the rest), the
/// positive class's curves.
/// </summary>
/// <param name="ClassNames">The class names, in class order.</param>
/// <param name="Confusion">[C, C] counts, rows = true class, columns = predicted class.</param>
/// <param name="Classes">The per-class table.</param>
/// <param name="LogLoss">Mean negative log-probability of the true class.</param>
/// <param name="Brier">Brier score (<see cref="BrierScore.Of"/>: positive-class form for two classes, sum over classes otherwise).</param>
/// <param name="BalancedAccuracy">Mean recall over the classes present.</param>
/// <param name="Mcc">Matthews correlation coefficient (multi-class form).</param>
/// <param name="MacroF1">Unweighted mean F1.</param>
/// <param name="MicroF1">F1 of the pooled counts (= accuracy).</param>
/// <param name="WeightedF1">Support-weighted mean F1.</param>
/// <param name="Binary">The positive class's view, or null for a multi-class task without a chosen class.</param>
public sealed record ClassificationDetail(IReadOnlyList<string> ClassNames, int[,] Confusion, IReadOnlyList<ClassRow> Classes,
    double LogLoss, double Brier, double BalancedAccuracy, double Mcc, double MacroF1, double MicroF1, double WeightedF1, BinaryDetail? Binary)
{
    /// <summary>A curve keeps at most about this many points (its first and last always): enough for a 640-unit-wide chart.</summary>
    public const int MaxCurvePoints = 400;

    /// <summary>
    /// The detail of the predictions <paramref name="probabilities"/> ([N, C] row-major softmax outputs) against
    /// <paramref name="labels"/> (N, all labelled). The binary view is made for <paramref name="positiveClass"/> when
    /// given, else for class 1 of a two-class task.
    /// </summary>
    /// <param name="probabilities">Softmax probabilities, [N, C].</param>
    /// <param name="classes">C.</param>
    /// <param name="labels">True classes, N.</param>
    /// <param name="classNames">Class names (null: the indices).</param>
    /// <param name="positiveClass">The chosen positive class, or null for the default.</param>
    /// <exception cref="ArgumentException">As the metrics: shapes, labels outside [0, C), a NaN, or names that do not match C.</exception>
    public static ClassificationDetail Of(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels,
        IReadOnlyList<string>? classNames, int? positiveClass)
    {
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException($"{classNames.Count} class names for {classes} classes.", nameof(classNames));
        IReadOnlyList<string> names = classNames ?? Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        int[] predictions = Predictions.ArgMax(probabilities, classes);
        int[,] confusion = ConfusionMatrix.Compute(predictions, labels, classes);
        ClassScores scores = F1Score.PerClass(confusion);
        var rows = Enumerable.Range(0, classes)
            .Select(c => new ClassRow(names[c], scores.Precision[c], scores.Recall[c], scores.F1[c], scores.Support[c])).ToList();
        BinaryDetail? binary = null;
        if (positiveClass is not null || classes == 2)
        {
            var b = BinaryEvaluation.Of(probabilities, classes, labels, scores, positiveClass ?? 1);
            binary = new BinaryDetail(names[b.PositiveClass], positiveClass is not null, b.RocAuc, b.AveragePrecision,
                b.Scores.Precision, b.Scores.Recall, b.Scores.F1,
                b.Roc is { } roc ? Thin(roc.FalsePositiveRate, roc.TruePositiveRate) : null,
                b.PrecisionRecall is { } pr ? Thin(pr.Recall, pr.Precision) : null);
        }
        return new ClassificationDetail(names, confusion, rows,
            ClassificationScores.LogLoss(probabilities, classes, labels), BrierScore.Of(probabilities, classes, labels),
            ClassificationScores.BalancedAccuracy(confusion), ClassificationScores.MatthewsCorrelation(confusion),
            scores.MacroF1, scores.MicroF1, scores.WeightedF1, binary);
    }

    // Keeps a point when it moved at least 1/MaxCurvePoints of the unit square (Chebyshev distance) from the last kept
    // one, and always the first and the last: a curve of a large test set stays a few hundred points.
    private static CurvePoints Thin(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        const double Step = 1.0 / MaxCurvePoints;
        var keptX = new List<double> { x[0] };
        var keptY = new List<double> { y[0] };
        for (int i = 1; i < x.Count; i++)
        {
            bool last = i == x.Count - 1;
            if (last || Math.Max(Math.Abs(x[i] - keptX[^1]), Math.Abs(y[i] - keptY[^1])) >= Step)
            {
                keptX.Add(x[i]);
                keptY.Add(y[i]);
            }
        }
        return new CurvePoints(keptX, keptY);
    }
}
