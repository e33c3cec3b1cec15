using TinyKd.Tensors;

namespace TinyKd.Autograd;

// R = table rows, D = width, N = indices, B = bags.
public static partial class Ops
{
    /// <summary>
    /// Looks up rows of <paramref name="table"/> [R, D]: y[j] = table[indices[j]] → [N, D] (PyTorch's
    /// <c>F.embedding</c>). The indices are read when the op runs and again by backward, so keep them unchanged until
    /// then. A table made with <see cref="Variable.SparseParameter"/> gets a row-sparse gradient; any other table a
    /// dense one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the table.</exception>
    public static Variable Embedding(Graph graph, Variable table, ReadOnlyMemory<int> indices) =>
        EmbeddingBag(graph, table, indices, default, mean: false);

    /// <summary>
    /// Sums or averages bags of rows (PyTorch's <c>F.embedding_bag</c> with <c>offsets</c>): bag b holds the indices
    /// [offsets[b], offsets[b + 1]) and gives y[b], [B, D]; an empty bag gives zeros. With empty
    /// <paramref name="offsets"/> it is <see cref="Embedding"/>. Used for multi-hot features such as a film's genres.
    /// </summary>
    /// <exception cref="ArgumentException">The offsets do not describe bags over the indices, or the table is not a matrix.</exception>
    public static Variable EmbeddingBag(Graph graph, Variable table, ReadOnlyMemory<int> indices, ReadOnlyMemory<int> offsets, bool mean)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.CheckInput(nameof(EmbeddingBag), table);
        if (table.Shape.Rank != 2)
            throw new ArgumentException($"EmbeddingBag: the table must be [rows, width]; got {table.Shape}.", nameof(table));
        int bags = offsets.IsEmpty ? indices.Length : offsets.Length - 1;
        if (bags < 0) throw new ArgumentException("EmbeddingBag: offsets need at least one entry (0).", nameof(offsets));
        bool records = Graph.Records(table);
        Variable y = graph.Result(new Shape(bags, table.Shape[1]), records);
        graph.Backend.EmbeddingForward(y.Data, table.Data, indices.Span, offsets.Span, mean);
        if (records) graph.Record(new TapeEntry(EmbeddingBackward, y, table) { Labels = indices, Offsets = offsets, I0 = mean ? 1 : 0 });
        return y;
    }

    // A = table, Labels = indices, Offsets = bag offsets, I0 = 1 for mean.  d table[indices[j]] += dy[bag of j] (÷ bag size).
    // A sparse table collects the rows in its RowSparseGradient; a dense one in its full gradient (slot = row).
    private static void EmbeddingBackward(in TapeEntry e, Graph g)
    {
        Variable table = e.A!;
        bool mean = e.I0 == 1;
        if (table.SparseGrad is { } sparse)
        {
            ReadOnlySpan<int> slots = sparse.SlotsFor(e.Labels.Span);
            g.Backend.EmbeddingBackward(sparse.Values, slots, e.Output.Grad, e.Offsets.Span, mean);
        }
        else g.Backend.EmbeddingBackward(g.GradOf(table), e.Labels.Span, e.Output.Grad, e.Offsets.Span, mean);
    }
}
