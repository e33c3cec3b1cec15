using BenchmarkDotNet.Attributes;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// Why embedding tables get sparse gradients: one training step of dot-product scoring on MovieLens-sized tables
/// (671 users and 9,066 items, width 64; and ten times the items) for a batch of 256 positives × 5 candidates (1,280 pairs), looking up,
/// back-propagating and updating with Adam. Dense tables zero, fill and update every row; sparse ones (PyTorch's
/// <c>sparse=True</c> + SparseAdam) only the rows the batch touched. The Ratio column is sparse against dense.
/// The learning rate is tiny so that thousands of steps on one batch do not drift the weights (see
/// <see cref="DistillationStepBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
public class EmbeddingStepBenchmarks
{
    private const int Users = 671, Width = 64, Pairs = 1280;
    private Embedding _users = null!, _items = null!;
    private Adam _adam = null!;
    private readonly Graph _graph = new();
    private readonly int[] _userIndices = new int[Pairs], _itemIndices = new int[Pairs];

    /// <summary>Item-table rows: MovieLens latest-small's 9,066, and a catalogue ten times larger.</summary>
    [Params(9066, 90660)]
    public int Items { get; set; } = 9066;

    [GlobalSetup(Target = nameof(DenseTables))]
    public void SetupDense() => Build(sparse: false);

    [GlobalSetup(Target = nameof(SparseTables))]
    public void SetupSparse() => Build(sparse: true);

    [Benchmark(Baseline = true)]
    public float DenseTables() => Step();

    [Benchmark]
    public float SparseTables() => Step();

    private float Step()
    {
        _graph.Reset();
        _adam.ZeroGrad();
        Variable score = Ops.Sum(Ops.Multiply(_users.Forward(_graph, _userIndices), _items.Forward(_graph, _itemIndices)));
        score.Backward();
        _adam.Step();
        return score.Item();
    }

    private void Build(bool sparse)
    {
        var rng = new Rng(1);
        _users = new Embedding(Users, Width, rng, sparse: sparse);
        _items = new Embedding(Items, Width, rng, sparse: sparse);
        _adam = new Adam([.. _users.Parameters(), .. _items.Parameters()], 1e-9f);
        for (int k = 0; k < Pairs; k++)
        {
            _userIndices[k] = rng.NextInt(Users);
            _itemIndices[k] = rng.NextInt(Items);
        }
        for (int i = 0; i < 3; i++) Step();
    }
}
