using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// A table of <see cref="Rows"/> learned vectors of <see cref="Width"/> numbers, looked up by index (PyTorch's
/// <c>nn.Embedding</c>, and with bags <c>nn.EmbeddingBag</c>). Initialised N(0, <c>initStd</c>²). With
/// <c>sparse</c> (the default) the gradient holds only the rows a step looked up, and <see cref="Optim.Adam"/> moves
/// only those rows: a step costs in proportion to the batch, not to the table.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table, drawing its values from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the standard deviation is negative.</exception>
    public Embedding(int rows, int width, Rng rng, float initStd = 0.1f, bool sparse = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(initStd >= 0f)) throw new ArgumentOutOfRangeException(nameof(initStd), $"The initial standard deviation must be ≥ 0; got {initStd}.");
        var table = Tensor.Zeros(rows, width);
        rng.FillNormal(table.Span, 0f, initStd);
        Weight = sparse ? Variable.SparseParameter(table, "weight") : Variable.Parameter(table, "weight");
    }

    /// <summary>The table, [Rows, Width].</summary>
    public Variable Weight { get; }

    /// <summary>The number of rows (users, items, genres…).</summary>
    public int Rows => Weight.Shape[0];

    /// <summary>The vector width.</summary>
    public int Width => Weight.Shape[1];

    /// <summary>True when the gradient is row-sparse.</summary>
    public bool IsSparse => Weight.SparseGrad is not null;

    /// <summary>The rows named by <paramref name="indices"/>, [N, Width], recorded on <paramref name="graph"/>.</summary>
    public Variable Forward(Graph graph, ReadOnlyMemory<int> indices) => Ops.Embedding(graph, Weight, indices);

    /// <summary>
    /// The mean (or sum) of each bag of rows: bag b is indices[offsets[b] .. offsets[b + 1]), giving [bags, Width].
    /// </summary>
    public Variable ForwardBags(Graph graph, ReadOnlyMemory<int> indices, ReadOnlyMemory<int> offsets, bool mean = true) =>
        Ops.EmbeddingBag(graph, Weight, indices, offsets, mean);

    /// <summary>
    /// Stages this step's lookup of <paramref name="indices"/> (bags by <paramref name="offsets"/> when given) for the
    /// graph's packed upload, slots of the sparse gradient included (<see cref="Ops.StageEmbeddingBag"/>); pass the
    /// same memory to <see cref="Forward"/> or <see cref="ForwardBags"/> afterwards. On the CPU it does nothing.
    /// </summary>
    public void Stage(Graph graph, ReadOnlyMemory<int> indices, ReadOnlyMemory<int> offsets = default) =>
        Ops.StageEmbeddingBag(graph, Weight, indices, offsets);

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Variable Parameter)> OwnParameters() => [("weight", Weight)];
}
