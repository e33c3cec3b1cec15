using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// Plain matrix factorisation: score(u, i) = ⟨p_u, q_i⟩ + b_i, a dot product of a user and an item embedding plus an
/// item bias (which learns popularity). The smallest and fastest student; its tables have sparse gradients.
/// </summary>
public sealed class MatrixFactorization : RecommenderModel
{
    private readonly Embedding _users, _items, _itemBias;

    /// <summary>Builds the model with embeddings drawn N(0, 0.1²) from <paramref name="rng"/> and zero item biases.</summary>
    public MatrixFactorization(int users, int items, int width, Rng rng) : base(users, items)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Width = width;
        _users = new Embedding(users, width, rng);
        _items = new Embedding(items, width, rng);
        _itemBias = new Embedding(items, 1, rng, initStd: 0f);
    }

    /// <summary>The embedding width.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public override string Architecture => $"mf d{Width}";

    /// <inheritdoc />
    public override Variable Score(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (users.Length != items.Length)
            throw new ArgumentException($"{users.Length} users for {items.Length} items: score pairs one to one.", nameof(items));
        Variable dot = Ops.Sum(Ops.Multiply(_users.Forward(graph, users), _items.Forward(graph, items)), 1);
        return Ops.Add(dot, Ops.Reshape(_itemBias.Forward(graph, items), items.Length));
    }

    /// <inheritdoc />
    protected override void StageBatch(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        _users.Stage(graph, users);
        _items.Stage(graph, items);
        _itemBias.Stage(graph, items);
    }

    /// <summary>
    /// Serving shortcut: the scores of all items for these users are one matrix product, P[users]·Qᵀ with the item
    /// biases as the GEMM's column bias, instead of gathering every (user, item) pair.
    /// </summary>
    protected override void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores, ScoringWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ICompute backend = _users.Weight.Data.Backend;
        Tensor rows = workspace.Buffer(0, users.Length, Width);
        Tensor result = workspace.Buffer(1, users.Length, ItemCount);
        backend.EmbeddingForward(rows, _users.Weight.Data, workspace.Users(users), default, mean: false);
        backend.Gemm(result, rows, Transpose.No, _items.Weight.Data, Transpose.Yes, bias: _itemBias.Weight.Data.Reshape(ItemCount));
        backend.CopyToHost(result, scores);
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Module Child)> Children() =>
        [("user", _users), ("item", _items), ("item_bias", _itemBias)];
}
