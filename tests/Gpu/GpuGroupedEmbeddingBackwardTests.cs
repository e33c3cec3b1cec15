using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The embedding backward given the indices grouped by slot (one thread per (slot, column) on the device) against the
// CPU's plain backward: bit for bit, on widths that are no multiple of anything, one slot collecting most indices,
// empty bags, sum and mean; and end to end through a staged sparse table, whose plan makes the grouping.
[Collection(IlgpuCpuCollection.Name)]
public class GpuGroupedEmbeddingBackwardTests(IlgpuCpuFixture fixture)
{
    private const int Slots = 6;
    private static readonly int[] SlotOf = [0, 3, 0, 0, 5, 1, 0, 2, 0, 0, 4, 0, 3]; // slot 0 collects 7 of 13
    private static readonly int[] Offsets = [0, 4, 4, 5, 11, 11, 13];              // bags of 4, 0, 1, 6, 0, 2 indices
    private readonly GpuCompute _gpu = fixture.Gpu;

    // The grouping as ICompute documents it: starts per slot, then each slot's bags in increasing index order.
    private static int[] Grouping(int[] slots, int[] offsets, int slotCount)
    {
        int bags = offsets.Length == 0 ? slots.Length : offsets.Length - 1;
        var bySlot = Enumerable.Range(0, slotCount).Select(_ => new List<int>()).ToArray();
        for (int b = 0; b < bags; b++)
        {
            (int start, int end) = offsets.Length == 0 ? (b, b + 1) : (offsets[b], offsets[b + 1]);
            for (int j = start; j < end; j++) bySlot[slots[j]].Add(b);
        }
        int[] starts = [0, .. bySlot.Select(l => l.Count)];
        for (int s = 0; s < slotCount; s++) starts[s + 1] += starts[s];
        return [.. starts, .. bySlot.SelectMany(l => l)];
    }

    [Theory]
    [InlineData(1, false, true)]
    [InlineData(7, true, true)]
    [InlineData(33, false, true)]
    [InlineData(33, true, true)]
    [InlineData(5, false, false)]
    public void Grouped_backward_matches_the_cpus_plain_backward_bit_for_bit(int width, bool mean, bool bags)
    {
        int[] offsets = bags ? Offsets : [];
        int dyRows = bags ? Offsets.Length - 1 : SlotOf.Length;
        Tensor dy = Check.Random(11, -1f, 1f, dyRows, width), rows0 = Check.Random(12, -1f, 1f, Slots + 2, width);
        Tensor cpu = On(CpuCompute.Default, rows0);
        CpuCompute.Default.EmbeddingBackward(cpu, IntTensor.Upload(SlotOf, CpuCompute.Default), dy,
            bags ? IntTensor.Upload(offsets, CpuCompute.Default) : default, mean);
        Tensor gpu = On(_gpu, rows0);
        ((ICompute)_gpu).EmbeddingBackward(gpu, IntTensor.Upload(SlotOf, _gpu), IntTensor.Upload(Grouping(SlotOf, offsets, Slots), _gpu),
            On(_gpu, dy), bags ? IntTensor.Upload(offsets, _gpu) : default, mean);
        Assert.Equal(cpu.ToArray(), gpu.ToArray());
    }

    [Fact]
    public void A_grouping_that_names_more_slots_than_rows_is_refused_by_name()
    {
        Tensor rows = Tensor.Zeros(new Shape(2, 3), _gpu), dy = Tensor.Zeros(new Shape(3, 3), _gpu);
        Check.Throws<ArgumentException>(() => _gpu.EmbeddingBackward(rows, IntTensor.Upload([0, 1, 2], _gpu),
            IntTensor.Upload(Grouping([0, 1, 2], [], 3), _gpu), dy, default, false), "slotGroups", "3 slots");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_staged_sparse_table_trains_on_the_device_as_on_the_cpu(bool bags)
    {
        int[] indices = [9, 2, 9, 9, 0, 4, 9, 2, 7, 9, 9], offsets = [0, 3, 3, 7, 8, 11];
        float[] Gradient(ICompute backend)
        {
            var table = new Embedding(10, 13, new Rng(3));
            table.To(backend);
            var graph = new Graph(backend);
            table.Stage(graph, indices, bags ? offsets : default);
            Variable y = bags ? table.ForwardBags(graph, indices, offsets) : table.Forward(graph, indices);
            Tensor weights = On(backend, Check.Random(13, -1f, 1f, y.Shape[0], 13));
            Ops.Sum(Ops.Multiply(y, graph.Input(weights))).Backward();
            return table.Weight.SparseGrad!.ToDense().ToArray();
        }
        Assert.Equal(Gradient(CpuCompute.Default), Gradient(_gpu));
    }
}
