using TinyKd.Tensors;

namespace TinyKd.Cli.Bench;

/// <summary>Seeded random inputs, so that every run of a suite times the same numbers.</summary>
internal static class BenchData
{
    /// <summary>A CPU tensor of the given shape filled uniformly in [low, high).</summary>
    public static Tensor Uniform(Rng rng, float low, float high, params ReadOnlySpan<int> dims)
    {
        Tensor t = Tensor.Zeros(dims);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary><paramref name="count"/> class labels uniform in [0, classes).</summary>
    public static int[] Labels(Rng rng, int count, int classes)
    {
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = rng.NextInt(classes);
        return labels;
    }
}
