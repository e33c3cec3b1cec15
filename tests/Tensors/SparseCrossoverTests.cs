using TinyKd.Tensors;

namespace TinyKd.Tests.Tensors;

// The shape of SparseCrossover.Measure's answer (never its times, which depend on the machine): one point per listed
// sparsity, positive times, and a crossover that is either a measured sparsity from which sparse wins at every point
// above, or 1 (stay dense).
public class SparseCrossoverTests
{
    [Fact]
    public void Measure_returns_every_point_and_a_crossover_consistent_with_them()
    {
        SparseCrossoverResult r = SparseCrossover.Measure(33, 17, 3, SparseFormat.Csr);
        Assert.Equal(SparseCrossover.Sparsities, r.Timings.Select(t => t.Sparsity));
        Assert.All(r.Timings, t => Assert.True(t.DenseSeconds > 0 && t.SparseSeconds > 0, $"times at {t.Sparsity}"));
        if (r.Crossover < 1)
        {
            Assert.Contains(r.Crossover, SparseCrossover.Sparsities);
            Assert.All(r.Timings.Where(t => t.Sparsity >= r.Crossover), t => Assert.True(t.Speedup > 1, $"speedup at {t.Sparsity}"));
            Assert.True(r.PrefersSparse(r.Crossover));
        }
        else Assert.True(r.Timings[^1].Speedup <= 1);
    }

    [Fact]
    public void Measure_rejects_sizes_a_layer_cannot_have()
    {
        Assert.Throws<ArgumentOutOfRangeException>("inFeatures", () => SparseCrossover.Measure(0, 10, 1));
        Assert.Throws<ArgumentOutOfRangeException>("batch", () => SparseCrossover.Measure(10, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>("inFeatures", () => SparseCrossover.Measure(SparseMatrix.MaxColumns + 1, 1, 1));
    }
}
