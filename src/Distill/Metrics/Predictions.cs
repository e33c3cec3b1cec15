namespace TinyKd.Distill.Metrics;

/// <summary>Turns per-class scores (logits or probabilities) into predicted classes.</summary>
public static class Predictions
{
    /// <summary>
    /// Writes the index of the largest score of each row of <paramref name="scores"/> ([N, C] row-major) into
    /// <paramref name="destination"/> (N); ties go to the lowest index, as in PyTorch's <c>argmax</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit [N, C] and N, or <paramref name="classes"/> &lt; 1.</exception>
    public static void ArgMax(ReadOnlySpan<float> scores, int classes, Span<int> destination)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        if ((long)destination.Length * classes != scores.Length)
            throw new ArgumentException(
                $"'{nameof(scores)}' has {scores.Length} elements; {destination.Length} rows × {classes} classes need {(long)destination.Length * classes}.",
                nameof(scores));
        for (int i = 0; i < destination.Length; i++) destination[i] = ArgMaxRow(scores.Slice(i * classes, classes));
    }

    /// <summary>The predicted class of each row of <paramref name="scores"/> ([N, C] row-major), as a new array.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="classes"/>, or <paramref name="classes"/> &lt; 1.</exception>
    public static int[] ArgMax(ReadOnlySpan<float> scores, int classes)
    {
        MetricChecks.Classes(classes, 1, nameof(classes));
        if (scores.Length % classes != 0)
            throw new ArgumentException($"'{nameof(scores)}' has {scores.Length} elements, not a multiple of {classes} classes.", nameof(scores));
        var result = new int[scores.Length / classes];
        ArgMax(scores, classes, result);
        return result;
    }

    internal static int ArgMaxRow(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best]) best = c;
        }
        return best;
    }
}
