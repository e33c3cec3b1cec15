using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;
using TinyKd.Tests.Parity;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Embeddings;

/// <summary>
/// The embedding ops: gradient checks, the sparse gradient against the dense one, lazy Adam against PyTorch's
/// SparseAdam (fixture embedding.json), and the zero-allocation steady state.
/// </summary>
public class EmbeddingOpTests(ITestOutputHelper output)
{
    private readonly ParityCheck _check = new(Fixture.Load("embedding"), output);

    private Fixture Data => _check.Fixture;

    [Fact]
    public void Lookup_passes_gradcheck_with_repeated_indices()
    {
        ReadOnlyMemory<int> indices = new[] { 2, 0, 2, 4, 2 };
        GradCheckResult r = GradCheck.Check(v => Ops.Embedding(v[0].Graph!, v[0], indices), [Check.Random(1, -1f, 1f, 5, 3)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bag_passes_gradcheck_with_an_empty_bag(bool mean)
    {
        ReadOnlyMemory<int> indices = new[] { 1, 3, 3, 0, 4, 1 };
        ReadOnlyMemory<int> offsets = new[] { 0, 2, 2, 5, 6 };
        GradCheckResult r = GradCheck.Check(v => Ops.EmbeddingBag(v[0].Graph!, v[0], indices, offsets, mean), [Check.Random(2, -1f, 1f, 5, 4)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Lookup_and_bag_match_pytorch()
    {
        var graph = new Graph();
        Variable table = graph.Input(Data.Get("table"), requiresGrad: true);
        Variable y = Ops.Embedding(graph, table, Data.Labels("indices"));
        graph.Backward(y, Data.Get("lookup.dy"));
        _check.Matches("lookup.y", y.Data);
        _check.Matches("lookup.vjp", table.Grad);

        graph.Reset();
        table = graph.Input(Data.Get("table"), requiresGrad: true);
        y = Ops.EmbeddingBag(graph, table, Data.Labels("bag_indices"), Data.Labels("bag_offsets"), mean: true);
        graph.Backward(y, Data.Get("bag.dy"));
        _check.Matches("bag.y", y.Data);
        _check.Matches("bag.vjp", table.Grad);
    }

    [Fact]
    public void Sparse_gradient_equals_the_dense_one_and_accumulates_until_zeroed()
    {
        Tensor values = Check.Random(3, -1f, 1f, 7, 4);
        var dense = Variable.Parameter(Tensor.FromArray(values.ToArray(), 7, 4));
        var sparse = Variable.SparseParameter(Tensor.FromArray(values.ToArray(), 7, 4));
        ReadOnlyMemory<int> first = new[] { 5, 1, 5 }, second = new[] { 1, 6 };
        foreach (ReadOnlyMemory<int> indices in new[] { first, second })
            foreach (Variable table in new[] { dense, sparse })
            {
                var graph = new Graph();
                Ops.Sum(Ops.Multiply(Ops.Embedding(graph, table, indices), graph.Input(Check.Random(4, -1f, 1f, indices.Length, 4)))).Backward();
            }
        Assert.Equal([5, 1, 6], sparse.SparseGrad!.Rows.ToArray());
        Assert.True(sparse.Grad.IsEmpty);
        Check.Close(dense.Grad, sparse.SparseGrad.ToDense(), 1e-6, 1e-6, "sparse vs dense gradient");
        sparse.ZeroGrad();
        Assert.Equal(0, sparse.SparseGrad.Count);
    }

    [Fact]
    public void Lazy_adam_matches_pytorch_sparse_adam_over_three_steps()
    {
        var table = Variable.SparseParameter(Data.Get("table"));
        var adam = new Adam([table], Data.Number("adam_lr"));
        var graph = new Graph();
        for (int k = 0; k < 3; k++)
        {
            graph.Reset();
            adam.ZeroGrad();
            Variable rows = Ops.Embedding(graph, table, Data.Labels($"adam.step{k}"));
            Ops.Sum(Ops.Multiply(rows, graph.Input(Data.Get($"adam.w{k}")))).Backward();
            adam.Step();
            _check.Matches($"adam.weight{k}", table.Data);
        }
    }

    [Fact]
    public void Optimizers_that_cannot_update_sparse_tables_say_so()
    {
        var table = new Embedding(4, 2, new Rng(1));
        Assert.Contains("sparse gradient", Assert.Throws<ArgumentException>(() => new Sgd(table.Parameters(), 0.1f)).Message);
        Assert.Contains("no weight decay", Assert.Throws<ArgumentException>(() => new AdamW(table.Parameters())).Message);
    }
}

[Collection(AllocationCollection.Name)]
public class EmbeddingAllocationTests
{
    [Fact]
    public void A_sparse_training_step_allocates_nothing_in_the_steady_state()
    {
        var rng = new Rng(7);
        var users = new Embedding(50, 8, rng);
        var items = new Embedding(80, 8, rng);
        var adam = new Adam([.. users.Parameters(), .. items.Parameters()]);
        var graph = new Graph();
        int[][] batches = [[1, 2, 3, 4], [5, 6, 7, 8], [49, 1, 1, 0]];
        int[][] itemBatches = [[10, 20, 30, 40], [79, 0, 3, 3], [5, 6, 7, 8]];
        // One run is the three batches in turn, so every run meets the same rows and row counts.
        Allocations.AssertNone(() =>
        {
            for (int step = 0; step < 3; step++)
            {
                graph.Reset();
                adam.ZeroGrad();
                Variable score = Ops.Sum(Ops.Multiply(users.Forward(graph, batches[step]), items.Forward(graph, itemBatches[step])));
                score.Backward();
                adam.Step();
            }
        }, "3 sparse embedding training steps", warmUp: 4);
    }
}
