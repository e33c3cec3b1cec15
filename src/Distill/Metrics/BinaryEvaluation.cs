namespace TinyKd.Distill.Metrics;

/// <summary>
/// How a classifier does on one class taken as the positive class of a binary task (for more than two classes: that
/// class against the rest): ROC and precision–recall curves of its probability, their areas, and its precision,
/// recall and F1 at the arg-max decision.
/// </summary>
public sealed class BinaryEvaluation
{
    private BinaryEvaluation(int positiveClass, PositiveClassScores scores, RocCurve? roc, PrecisionRecallCurve? precisionRecall,
        double rocAuc, double averagePrecision)
    {
        PositiveClass = positiveClass;
        Scores = scores;
        Roc = roc;
        PrecisionRecall = precisionRecall;
        RocAuc = rocAuc;
        AveragePrecision = averagePrecision;
    }

    /// <summary>The index of the positive class.</summary>
    public int PositiveClass { get; }

    /// <summary>Precision, recall, F1 and support of the positive class.</summary>
    public PositiveClassScores Scores { get; }

    /// <summary>The ROC curve, or null when the labels hold only one of positives and negatives.</summary>
    public RocCurve? Roc { get; }

    /// <summary>The precision–recall curve, or null when the labels hold no positive.</summary>
    public PrecisionRecallCurve? PrecisionRecall { get; }

    /// <summary>The area under <see cref="Roc"/> (<see cref="Metrics.RocAuc.Binary"/>), or NaN without a curve.</summary>
    public double RocAuc { get; }

    /// <summary>The average precision (PR-AUC, <see cref="Metrics.AveragePrecision"/>), or NaN without a curve.</summary>
    public double AveragePrecision { get; }

    /// <summary>
    /// Scores class <paramref name="positiveClass"/> of <paramref name="probabilities"/> ([N, C] row-major) against
    /// <paramref name="labels"/>; <paramref name="scores"/> are the per-class scores of the arg-max predictions.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Metrics.PositiveClass.Split"/>, or a NaN probability.</exception>
    public static BinaryEvaluation Of(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, ClassScores scores, int positiveClass)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var (positiveScores, binary) = Metrics.PositiveClass.Split(probabilities, classes, labels, positiveClass);
        int positives = binary.Count(y => y == 1);
        RocCurve? roc = positives > 0 && positives < binary.Length ? RocCurve.Compute(positiveScores, binary) : null;
        PrecisionRecallCurve? pr = positives > 0 ? PrecisionRecallCurve.Compute(positiveScores, binary) : null;
        return new BinaryEvaluation(positiveClass, scores.ForClass(positiveClass), roc, pr,
            roc is null ? double.NaN : Metrics.RocAuc.Binary(positiveScores, binary),
            pr is null ? double.NaN : Metrics.AveragePrecision.Binary(positiveScores, binary));
    }
}
