using TinyKd.Autograd;
using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The ILGPU backend's embedding lookup, its backward and lazy Adam against the CPU backend, with the indices as int
// tensors on each backend. The kernels do the CPU reference's float operations in its order (the backward walks the
// indices in order per column), so the bar is bit equality, on odd widths, empty bags, repeated indices, sum and mean.
[Collection(IlgpuCpuCollection.Name)]
public class GpuEmbeddingTests(IlgpuCpuFixture fixture)
{
    private const int TableRows = 11;
    private static readonly int[] Indices = [4, 0, 10, 4, 4, 7, 1, 2, 9, 4];
    private static readonly int[] Offsets = [0, 3, 3, 4, 10, 10];   // bags of 3, 0, 1, 6, 0 indices
    private readonly GpuCompute _gpu = fixture.Gpu;

    private (float[] Cpu, float[] Gpu) Both(Func<ICompute, Tensor> body) => (body(CpuCompute.Default).ToArray(), body(_gpu).ToArray());

    [Theory]
    [InlineData(1, false)]
    [InlineData(5, true)]
    [InlineData(13, false)]
    [InlineData(13, true)]
    public void Bag_lookup_matches_the_cpu_bit_for_bit_with_empty_bags(int width, bool mean)
    {
        Tensor table = Check.Random(3, -1f, 1f, TableRows, width);
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = Tensor.Zeros(new Shape(Offsets.Length - 1, width), b);
            b.Fill(y, 7f); // empty bags must be written as zeros, not left
            b.EmbeddingForward(y, On(b, table), IntTensor.Upload(Indices, b), IntTensor.Upload(Offsets, b), mean);
            return y;
        });
        Assert.Equal(cpu, gpu);
        Assert.All(gpu.AsSpan(width, width).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_lookup_without_offsets_gathers_one_row_per_index_as_the_cpu()
    {
        Tensor table = Check.Random(4, -1f, 1f, TableRows, 7);
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = Tensor.Zeros(new Shape(Indices.Length, 7), b);
            b.EmbeddingForward(y, On(b, table), IntTensor.Upload(Indices, b), default, mean: false);
            return y;
        });
        Assert.Equal(cpu, gpu);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(9, true)]
    public void Backward_adds_repeated_indices_into_one_row_as_the_cpu_and_the_same_on_every_run(int width, bool mean)
    {
        Tensor dy = Check.Random(5, -1f, 1f, Offsets.Length - 1, width), rows0 = Check.Random(6, -1f, 1f, TableRows, width);
        Tensor Backward(ICompute b)
        {
            Tensor rows = On(b, rows0);
            b.EmbeddingBackward(rows, IntTensor.Upload(Indices, b), On(b, dy), IntTensor.Upload(Offsets, b), mean);
            return rows;
        }
        var (cpu, gpu) = Both(Backward);
        Assert.Equal(cpu, gpu);
        Assert.Equal(gpu, Backward(_gpu).ToArray());
        Assert.NotEqual(rows0.ToArray().AsSpan(4 * width, width).ToArray(), gpu.AsSpan(4 * width, width).ToArray()); // row 4 took 5 additions
    }

    [Fact]
    public void Lazy_adam_moves_only_the_listed_rows_as_the_cpu()
    {
        const int width = 6;
        int[] rows = [4, 1, 9];
        Tensor p0 = Check.Random(7, -1f, 1f, TableRows, width), m0 = Check.Random(8, -0.1f, 0.1f, TableRows, width);
        Tensor v0 = Check.Random(9, 0f, 0.01f, TableRows, width), g = Check.Random(10, -1f, 1f, rows.Length + 2, width);
        var step = new AdamStep(0.05f, 0.9f, 0.999f, 1e-8f, 0f, false, 3);
        float[][] Run(ICompute b)
        {
            Tensor p = On(b, p0), m = On(b, m0), v = On(b, v0);
            b.SparseAdamUpdate(p, IntTensor.Upload(rows, b), On(b, g), m, v, step);
            return [p.ToArray(), m.ToArray(), v.ToArray()];
        }
        float[][] cpu = Run(CpuCompute.Default), gpu = Run(_gpu);
        for (int k = 0; k < 3; k++) Assert.Equal(cpu[k], gpu[k]);
        float[] before = p0.ToArray();
        for (int r = 0; r < TableRows; r++)
            Assert.Equal(rows.Contains(r), !before.AsSpan(r * width, width).SequenceEqual(gpu[0].AsSpan(r * width, width)));
    }

    [Fact]
    public void Index_tensors_of_another_backend_and_wrong_bag_counts_are_refused_by_name()
    {
        Tensor table = Tensor.Zeros(new Shape(TableRows, 2), _gpu), y = Tensor.Zeros(new Shape(2, 2), _gpu);
        Check.Throws<ArgumentException>(() => _gpu.EmbeddingForward(y, table, Check.Ints(1, 2), default, false), "indices", "cpu");
        Check.Throws<ArgumentException>(() => _gpu.EmbeddingForward(y, table, IntTensor.Upload([1, 2, 3], _gpu), default, false), "3 indices for 2 rows");
        Check.Throws<ArgumentException>(() => _gpu.EmbeddingForward(y, table, IntTensor.Upload([1, 2, 3], _gpu), IntTensor.Upload([0, 3], _gpu), false), "3 entries");
    }

    [Fact]
    public void Int_tensors_round_trip_through_the_device()
    {
        int[] values = [3, -1, 0, 42, int.MaxValue];
        IntTensor t = IntTensor.Upload(values, _gpu);
        Assert.False(t.IsHost);
        Assert.Equal(values, t.ToArray());
        Assert.Equal(values[1..4], t.Slice(1, 3).ToArray());
        Check.Throws<InvalidOperationException>(() => _ = t.Span.Length, "ilgpu-cpu", "ToArray");
    }

    [Fact]
    public void Host_indices_outside_the_table_are_named_before_they_reach_the_device()
    {
        var table = Variable.Parameter(Tensor.Zeros(new Shape(TableRows, 2), _gpu), "table");
        var graph = new Graph(_gpu);
        Check.Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(graph, table, new[] { 1, TableRows }), $"Index {TableRows} at position 1");
    }
}
