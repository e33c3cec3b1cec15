using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Standardises features to zero mean and unit deviation, x ← (x − mean) / std, with statistics fitted on a training
/// set and then applied unchanged to the training, validation and test sets (and, from a model file, at inference).
/// The statistics are two float arrays: of length 1 for <see cref="StandardizationMode.Global"/>, of length D for
/// <see cref="StandardizationMode.PerFeature"/>.
/// </summary>
public sealed class Standardizer
{
    /// <summary>A deviation below this is treated as 1, so a constant feature (an always-black border pixel) is only centred.</summary>
    public const float MinimumStd = 1e-6f;

    /// <summary>Rebuilds a standardizer from saved statistics (for instance read from a model file).</summary>
    /// <param name="mean">Length 1 (global) or D (per feature).</param>
    /// <param name="std">The same length as <paramref name="mean"/>, every value positive.</param>
    /// <exception cref="ArgumentException">The arrays are empty, differ in length, or a deviation is not positive.</exception>
    public Standardizer(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0) throw new ArgumentException("A standardizer needs at least one mean.", nameof(mean));
        if (std.Length != mean.Length)
            throw new ArgumentException($"A standardizer has {mean.Length} means but {std.Length} deviations.", nameof(std));
        for (int i = 0; i < std.Length; i++)
        {
            if (!(std[i] > 0) || !float.IsFinite(std[i]))
                throw new ArgumentException($"Deviation {i} is {std[i]}; every deviation must be positive and finite.", nameof(std));
        }
        Mean = mean;
        Std = std;
    }

    /// <summary>The means: one (global) or one per feature.</summary>
    public float[] Mean { get; }

    /// <summary>The deviations, as many as <see cref="Mean"/>, each positive.</summary>
    public float[] Std { get; }

    /// <summary>True when the statistics are one per feature rather than one global pair.</summary>
    public bool IsPerFeature => Mean.Length > 1;

    /// <summary>
    /// Fits the population mean and deviation (divisor N, accumulated in double) of <paramref name="train"/>'s
    /// features; a deviation below <see cref="MinimumStd"/> becomes 1.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset has no examples.</exception>
    public static Standardizer Fit(Dataset train, StandardizationMode mode = StandardizationMode.Global)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException($"Cannot fit a standardizer on the empty dataset '{train.Name}'.", nameof(train));
        int n = train.Count, d = train.FeatureCount;
        int groups = mode == StandardizationMode.Global ? 1 : d;
        var sum = new double[groups];
        var sumSquares = new double[groups];
        var x = train.Features.Span;
        for (int row = 0; row < n; row++)
        {
            var features = x.Slice(row * d, d);
            for (int j = 0; j < d; j++)
            {
                int g = groups == 1 ? 0 : j;
                double v = features[j];
                sum[g] += v;
                sumSquares[g] += v * v;
            }
        }
        var mean = new float[groups];
        var std = new float[groups];
        double count = groups == 1 ? (double)n * d : n;
        for (int g = 0; g < groups; g++)
        {
            double m = sum[g] / count;
            double deviation = Math.Sqrt(Math.Max(0, sumSquares[g] / count - m * m));
            mean[g] = (float)m;
            std[g] = deviation < MinimumStd ? 1f : (float)deviation;
        }
        return new Standardizer(mean, std);
    }

    /// <summary>
    /// What one raw feature value becomes under global statistics — e.g. the standardised value of a black pixel,
    /// which image augmentation fills vacated pixels with.
    /// </summary>
    /// <exception cref="InvalidOperationException">The statistics are per feature: a value has no single image.</exception>
    public float Transform(float value) => IsPerFeature
        ? throw new InvalidOperationException("Per-feature standardisation maps a raw value differently in every feature; there is no single standardised value.")
        : (value - Mean[0]) / Std[0];

    /// <summary>Standardises <paramref name="data"/>'s features in place.</summary>
    /// <exception cref="ArgumentException">Per-feature statistics whose count differs from the dataset's D.</exception>
    public void Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Apply(data.Features);
    }

    /// <summary>Standardises a CPU feature tensor [N, D] in place.</summary>
    /// <exception cref="ArgumentException">Per-feature statistics whose count differs from D.</exception>
    public void Apply(Tensor features)
    {
        int d = features.Shape.Columns;
        if (IsPerFeature && d != Mean.Length)
            throw new ArgumentException(
                $"The standardizer has statistics for {Mean.Length} features but the tensor {features.Shape} has {d}.", nameof(features));
        var x = features.Span;
        if (!IsPerFeature)
        {
            float mean = Mean[0], std = Std[0];
            for (int i = 0; i < x.Length; i++) x[i] = (x[i] - mean) / std;
            return;
        }
        for (int start = 0; start < x.Length; start += d)
        {
            var row = x.Slice(start, d);
            for (int j = 0; j < d; j++) row[j] = (row[j] - Mean[j]) / Std[j];
        }
    }
}
