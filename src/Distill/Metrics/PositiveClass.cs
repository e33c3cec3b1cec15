namespace TinyKd.Distill.Metrics;

/// <summary>A multi-class prediction seen as a binary task: one class against the rest.</summary>
public static class PositiveClass
{
    /// <summary>
    /// The positive class's column of <paramref name="probabilities"/> ([N, C] row-major) as scores, and 1 where
    /// <paramref name="labels"/> is <paramref name="positiveClass"/>, else 0 — the input of the binary metrics
    /// (<see cref="RocCurve"/>, <see cref="AveragePrecision"/>, <see cref="BrierScore.Binary"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A probability count other than N × C, <paramref name="positiveClass"/> outside [0, C), or a label outside [0, C).
    /// </exception>
    public static (float[] Scores, int[] Labels) Split(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, int positiveClass)
    {
        MetricChecks.Classes(classes, 2, nameof(classes));
        MetricChecks.Matrix(probabilities, classes, labels, nameof(probabilities));
        MetricChecks.InRange(labels, classes, nameof(labels));
        if ((uint)positiveClass >= (uint)classes)
            throw new ArgumentException($"'{nameof(positiveClass)}' is {positiveClass}, outside [0, {classes - 1}].", nameof(positiveClass));
        var scores = new float[labels.Length];
        var binary = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            scores[i] = probabilities[i * classes + positiveClass];
            binary[i] = labels[i] == positiveClass ? 1 : 0;
        }
        return (scores, binary);
    }
}
