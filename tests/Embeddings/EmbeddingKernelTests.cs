using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Embeddings;

/// <summary>The CPU embedding primitives against their scalar reference twins, on odd widths and odd bags.</summary>
public class EmbeddingKernelTests
{
    private static readonly ICompute Cpu = CpuCompute.Default;

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(17, true)]
    [InlineData(33, true)]
    [InlineData(64, true)]
    public void Bag_lookup_and_backward_equal_the_reference_bit_for_bit(int width, bool mean)
    {
        Tensor table = Check.Random(3, -1f, 1f, 11, width);
        int[] indices = [4, 0, 10, 4, 4, 7, 1, 2, 9];
        int[] offsets = [0, 3, 3, 4, 9];
        var y = Tensor.Zeros(4, width);
        Cpu.EmbeddingForward(y, table, Check.Ints(indices), Check.Ints(offsets), mean);
        var expected = new float[4 * width];
        EmbeddingReference.Forward(expected, table.Span, width, indices, offsets, mean);
        Assert.Equal(expected, y.ToArray());
        Assert.All(y.Span.Slice(width, width).ToArray(), v => Assert.Equal(0f, v));

        Tensor dy = Check.Random(5, -1f, 1f, 4, width);
        Tensor rows = Check.Random(6, -1f, 1f, 11, width);
        float[] expectedRows = rows.ToArray();
        Cpu.EmbeddingBackward(rows, Check.Ints(indices), dy, Check.Ints(offsets), mean);
        EmbeddingReference.Backward(expectedRows, dy.Span, width, indices, offsets, mean);
        Assert.Equal(expectedRows, rows.ToArray());
    }

    [Fact]
    public void Without_offsets_every_index_is_a_row()
    {
        Tensor table = Check.Random(8, -1f, 1f, 5, 3);
        var y = Tensor.Zeros(3, 3);
        Cpu.EmbeddingForward(y, table, Check.Ints(2, 2, 4), default, mean: true);
        float[] t = table.ToArray();
        Assert.Equal(t[6..9].Concat(t[6..9]).Concat(t[12..15]).ToArray(), y.ToArray());
    }

    [Fact]
    public void Bad_indices_and_offsets_are_named()
    {
        var table = Tensor.Zeros(5, 2);
        var y = Tensor.Zeros(2, 2);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => Cpu.EmbeddingForward(y, table, Check.Ints(1, 5), default, false));
        Assert.Contains("Index 5 at position 1", outside.Message);
        var offsets = Assert.Throws<ArgumentException>(() => Cpu.EmbeddingForward(y, table, Check.Ints(1, 2, 3), Check.Ints(0, 2, 2), false));
        Assert.Contains("3 entries from 0 to 3", offsets.Message);
        var width = Assert.Throws<ArgumentException>(() => Cpu.EmbeddingForward(Tensor.Zeros(2, 3), table, Check.Ints(1, 2), default, false));
        Assert.Contains("same row width", width.Message);
    }

    public static TheoryData<KernelPath, int> SparseAdamCases()
    {
        var data = new TheoryData<KernelPath, int>();
        foreach (KernelPath path in CpuKernels.Supported)
            foreach (int width in new[] { 1, 7, 16, 17, 33, 64 })
                data.Add(path, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(SparseAdamCases))]
    public void Sparse_adam_on_every_path_equals_the_reference_loop_bit_for_bit(KernelPath path, int width)
    {
        int[] rows = [9, 0, 4, 11];
        float[] p = Check.Random(1, -1f, 1f, 12, width).ToArray(), g = Check.Random(2, -1f, 1f, rows.Length, width).ToArray();
        float[] m = Check.Random(3, -0.1f, 0.1f, 12, width).ToArray(), v = Check.Random(4, 0f, 0.01f, 12, width).ToArray();
        float[] pe = p.ToArray(), me = m.ToArray(), ve = v.ToArray();
        var step = new AdamStep(3e-2f, 0.8f, 0.99f, 1e-6f, 0f, false, 7);
        OptimizerReference.SparseAdam(pe, rows, g, me, ve, width, step);
        EmbeddingKernels.SparseAdam(path, p, rows, g, m, v, width, step);
        Assert.Equal(pe, p);
        Assert.Equal(me, m);
        Assert.Equal(ve, v);
    }

    [Fact]
    public void Sparse_adam_moves_only_the_listed_rows_and_refuses_weight_decay()
    {
        Tensor p = Check.Random(9, -1f, 1f, 6, 5);
        float[] before = p.ToArray();
        var m = Tensor.Zeros(6, 5);
        var v = Tensor.Zeros(6, 5);
        Tensor g = Check.Random(10, -1f, 1f, 2, 5);
        var step = new AdamStep(0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
        Cpu.SparseAdamUpdate(p, Check.Ints(4, 1), g, m, v, step);
        float[] after = p.ToArray();
        for (int r = 0; r < 6; r++)
        {
            bool touched = r is 4 or 1;
            for (int c = 0; c < 5; c++)
                Assert.Equal(touched, after[r * 5 + c] != before[r * 5 + c]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Cpu.SparseAdamUpdate(p, Check.Ints(0), g, m, v, step with { WeightDecay = 0.01f }));
    }
}
