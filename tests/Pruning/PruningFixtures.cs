using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Tests.Pruning;

/// <summary>Small seeded models and data for the pruning tests.</summary>
internal static class PruningFixtures
{
    /// <summary>An MLP of <paramref name="sizes"/> with seeded weights.</summary>
    public static Mlp Model(string sizes, ulong seed = 7) => new(MlpSpec.Parse(sizes), new Rng(seed));

    /// <summary>A labelled dataset of <paramref name="rows"/> seeded uniform features; the label is the argmax of the first <paramref name="classes"/> features.</summary>
    public static Dataset Data(int rows, int features, int classes, ulong seed = 3)
    {
        var x = new float[rows * features];
        new Rng(seed).FillUniform(x, -1, 1);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 1; c < classes; c++)
                if (x[r * features + c] > x[r * features + labels[r]]) labels[r] = c;
        return new Dataset(Tensor.FromArray(x, rows, features), labels, classes, "pruning-fixture");
    }

    /// <summary>The zeros of a layer's weight.</summary>
    public static int Zeros(Linear layer) => layer.Weight.Data.Span.ToArray().Count(v => v == 0f);
}
