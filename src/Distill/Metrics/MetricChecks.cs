namespace TinyKd.Distill.Metrics;

// Boundary checks shared by the metrics; each names the offending parameter.
internal static class MetricChecks
{
    public static void NonEmpty(int length, string parameter)
    {
        if (length == 0) throw new ArgumentException($"'{parameter}' is empty; a metric needs at least one example.", parameter);
    }

    public static void SameLength(int length, string parameter, int expected, string other)
    {
        if (length != expected)
            throw new ArgumentException($"'{parameter}' has {length} elements but '{other}' has {expected}.", parameter);
    }

    public static void Classes(int classes, int minimum, string parameter)
    {
        if (classes < minimum) throw new ArgumentException($"'{parameter}' must be at least {minimum}; got {classes}.", parameter);
    }

    public static void InRange(ReadOnlySpan<int> values, int classes, string parameter)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if ((uint)values[i] >= (uint)classes)
                throw new ArgumentException($"'{parameter}'[{i}] is {values[i]}, outside [0, {classes - 1}].", parameter);
        }
    }

    // probabilities: [N, C] row-major, N = labels.Length.
    public static void Matrix(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, string parameter)
    {
        NonEmpty(labels.Length, "labels");
        if ((long)labels.Length * classes != probabilities.Length)
            throw new ArgumentException(
                $"'{parameter}' has {probabilities.Length} elements; {labels.Length} labels × {classes} classes need {(long)labels.Length * classes}.",
                parameter);
    }

    // Labels of the rows of a [N, C] probability matrix: each in [0, classes) or −1 (an unlabelled row, skipped by the
    // metric). Returns how many rows are labelled; none is an error naming the metric.
    public static int LabelledRows(ReadOnlySpan<int> labels, int classes, string metric)
    {
        int labelled = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == -1) continue;
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"'labels'[{i}] is {labels[i]}, outside [0, {classes - 1}] (−1 marks an unlabelled row).", "labels");
            labelled++;
        }
        if (labelled == 0) throw new ArgumentException($"{metric} needs at least one labelled row.", "labels");
        return labelled;
    }

    // A binary task: scores (higher = more positive) and labels 0 or 1, same non-zero length, no NaN. Returns the
    // number of positives.
    public static long BinaryInput(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        NonEmpty(labels.Length, "labels");
        SameLength(scores.Length, "scores", labels.Length, "labels");
        long positives = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0 or 1))
                throw new ArgumentException($"'labels'[{i}] is {labels[i]}; a binary metric needs labels 0 or 1.", "labels");
            if (float.IsNaN(scores[i]))
                throw new ArgumentException($"'scores'[{i}] is NaN.", "scores");
            positives += labels[i];
        }
        return positives;
    }
}
