namespace TinyKd.Distill.Metrics;

/// <summary>
/// Precision, recall and F1 of each class, from <see cref="F1Score.PerClass(int[,])"/>. A ratio whose denominator is
/// zero is reported as 0: precision of a class never predicted, recall of a class absent from the labels, F1 when
/// precision + recall is 0 (scikit-learn's <c>zero_division=0</c>).
/// </summary>
public sealed class ClassScores
{
    internal ClassScores(double[] precision, double[] recall, double[] f1, int[] support, int[] predicted, int[] truePositives)
    {
        TruePositives = truePositives;
        Precision = precision;
        Recall = recall;
        F1 = f1;
        Support = support;
        Predicted = predicted;
    }

    /// <summary>Per class: true positives / predicted positives, or 0 when the class is never predicted.</summary>
    public double[] Precision { get; }

    /// <summary>Per class: true positives / actual positives, or 0 when the class is absent from the labels.</summary>
    public double[] Recall { get; }

    /// <summary>Per class: 2·P·R / (P + R), or 0 when P + R = 0.</summary>
    public double[] F1 { get; }

    /// <summary>Per class: the number of examples whose true class it is (the row sums of the confusion matrix).</summary>
    public int[] Support { get; }

    /// <summary>Per class: the number of examples predicted as it (the column sums of the confusion matrix).</summary>
    public int[] Predicted { get; }

    /// <summary>Per class: the examples of it predicted as it (the diagonal of the confusion matrix).</summary>
    public int[] TruePositives { get; }

    /// <summary>The number of classes.</summary>
    public int Classes => F1.Length;

    /// <summary>
    /// The unweighted mean F1 over the classes that occur among the labels or the predictions (scikit-learn's
    /// default label set). A class absent from both is left out: the evaluation set cannot test it, and counting
    /// it as 0 would lower the score of a perfect classifier.
    /// </summary>
    public double MacroF1
    {
        get
        {
            double sum = 0;
            int counted = 0;
            for (int c = 0; c < Classes; c++)
            {
                if (Support[c] == 0 && Predicted[c] == 0) continue;
                sum += F1[c];
                counted++;
            }
            return counted == 0 ? 0 : sum / counted;
        }
    }

    /// <summary>
    /// The F1 of the pooled counts: 2·P·R / (P + R) with P = Σ TP / Σ predicted and R = Σ TP / Σ support. When every
    /// example has one true and one predicted class (as here) both equal the accuracy, and so does micro-F1.
    /// </summary>
    public double MicroF1
    {
        get
        {
            long truePositives = 0, predicted = 0, support = 0;
            for (int c = 0; c < Classes; c++)
            {
                truePositives += TruePositives[c];
                predicted += Predicted[c];
                support += Support[c];
            }
            double p = predicted == 0 ? 0 : (double)truePositives / predicted, r = support == 0 ? 0 : (double)truePositives / support;
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    /// <summary>
    /// The mean of the per-class F1 weighted by support, Σ_c support_c · F1_c / Σ_c support_c (scikit-learn's
    /// <c>average="weighted"</c>): a class absent from the labels weighs nothing. 0 when there is no support at all.
    /// </summary>
    public double WeightedF1
    {
        get
        {
            double sum = 0;
            long support = 0;
            for (int c = 0; c < Classes; c++)
            {
                sum += Support[c] * F1[c];
                support += Support[c];
            }
            return support == 0 ? 0 : sum / support;
        }
    }

    /// <summary>Precision, recall, F1 and support of class <paramref name="positiveClass"/> taken as the positive class of a binary task.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="positiveClass"/> is outside [0, <see cref="Classes"/>).</exception>
    public PositiveClassScores ForClass(int positiveClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positiveClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(positiveClass, Classes);
        return new PositiveClassScores(Precision[positiveClass], Recall[positiveClass], F1[positiveClass], Support[positiveClass]);
    }
}

/// <summary>How a classifier does on one class, taken as the positive class of a binary task.</summary>
/// <param name="Precision">True positives / predicted positives, 0 when the class is never predicted.</param>
/// <param name="Recall">True positives / actual positives, 0 when the class is absent.</param>
/// <param name="F1">2·P·R / (P + R), 0 when P + R = 0.</param>
/// <param name="Support">The number of examples of the class.</param>
public readonly record struct PositiveClassScores(double Precision, double Recall, double F1, int Support);
