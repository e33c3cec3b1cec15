namespace TinyKd.Distill.Metrics;

/// <summary>
/// Precision, recall and F1 of each class, from <see cref="F1Score.PerClass(int[,])"/>. A ratio whose denominator is
/// zero is reported as 0: precision of a class never predicted, recall of a class absent from the labels, F1 when
/// precision + recall is 0 (scikit-learn's <c>zero_division=0</c>).
/// </summary>
public sealed class ClassScores
{
    internal ClassScores(double[] precision, double[] recall, double[] f1, int[] support, int[] predicted)
    {
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
}
