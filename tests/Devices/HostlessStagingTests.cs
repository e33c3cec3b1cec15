using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Tests.Devices;

// A step's integers staged for one packed upload (Graph.Stage, Embedding.Stage): a sparse table's backward then uses the
// slots planned at staging, and every way of leaving the plan (a table read twice, ZeroGrad between forward and
// backward, a later step that stages nothing) still gives the CPU's gradient.
public class HostlessStagingTests
{
    private const int Rows = 7, Width = 3;

    // Each step: the lookups of `lists` (indices; with offsets, mean bags), their sum weighted by distinct numbers,
    // backward. `stage` says whether a step stages its first lookup; `zeroBetween` zeroes the gradient after forward.
    private static (float[] Gradient, int Uploads) Run(ICompute backend, int[][][] steps, bool[] stage, bool zeroBetween = false)
    {
        var table = new Embedding(Rows, Width, new Rng(4));
        table.To(backend);
        var graph = new Graph(backend);
        int uploads = 0;
        for (int s = 0; s < steps.Length; s++)
        {
            graph.Reset();
            table.Weight.ZeroGrad();
            Memory<int>[] lists = [.. steps[s].Select(list => Pooled(graph, list))];
            if (stage[s]) table.Stage(graph, lists[0]);
            graph.UploadStaged();
            int before = backend is HostlessCompute h ? h.Uploads : 0;
            Variable? total = null;
            foreach (Memory<int> list in lists)
            {
                Variable y = table.Forward(graph, list);
                var weights = Tensor.Upload([.. Enumerable.Range(1, y.Data.Length).Select(i => 0.25f * i - 1f)], y.Shape, backend);
                Variable term = Ops.Sum(Ops.Multiply(y, graph.Input(weights)));
                total = total is null ? term : Ops.Add(total, term);
            }
            if (zeroBetween) table.Weight.ZeroGrad();
            total!.Backward();
            uploads = backend is HostlessCompute after ? after.Uploads - before - lists.Length : 0; // less the weights
        }
        return (table.Weight.SparseGrad!.ToDense().ToArray(), uploads);
    }

    private static Memory<int> Pooled(Graph graph, int[] values)
    {
        Memory<int> memory = graph.Indices(values.Length);
        values.CopyTo(memory);
        return memory;
    }

    private static void AssertCpuGradient(int[][][] steps, bool[] stage, bool zeroBetween = false)
    {
        float[] cpu = Run(CpuCompute.Default, steps, stage, zeroBetween).Gradient;
        float[] device = Run(new HostlessCompute(), steps, stage, zeroBetween).Gradient;
        Assert.Equal(cpu, device);
    }

    [Fact]
    public void A_staged_lookup_backpropagates_without_another_upload()
    {
        var (gradient, uploads) = Run(new HostlessCompute(), [[[3, 1, 3, 6, 3]]], [true]);
        Assert.Equal(0, uploads); // forward and backward read the packed upload sent before them
        Assert.Equal(Run(CpuCompute.Default, [[[3, 1, 3, 6, 3]]], [true]).Gradient, gradient);
    }

    [Fact]
    public void An_unstaged_lookup_uploads_its_slots_and_rows_in_backward() =>
        Assert.Equal(1 + 2, Run(new HostlessCompute(), [[[3, 1, 3, 6, 3]]], [false]).Uploads); // the indices; slots and rows

    [Fact]
    public void A_table_read_twice_in_a_staged_step_matches_the_cpu() =>
        AssertCpuGradient([[[3, 1, 3, 6], [6, 0, 3, 2, 2]]], [true]);

    [Fact]
    public void Zeroing_the_gradient_between_a_staged_forward_and_its_backward_matches_the_cpu() =>
        AssertCpuGradient([[[5, 5, 0, 4]]], [true], zeroBetween: true);

    [Fact]
    public void A_step_that_stages_nothing_after_one_that_did_does_not_reuse_the_old_plan() =>
        AssertCpuGradient([[[3, 1, 3, 6]], [[2, 2, 0, 1]]], [true, false]);
}
