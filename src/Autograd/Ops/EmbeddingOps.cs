using TinyKd.Tensors;

namespace TinyKd.Autograd;

// R = table rows, D = width, N = indices, B = bags.
public static partial class Ops
{
    /// <summary>
    /// Looks up rows of <paramref name="table"/> [R, D]: y[j] = table[indices[j]] → [N, D] (PyTorch's
    /// <c>F.embedding</c>). The indices are uploaded to the graph's backend once per step (<see cref="Graph.Upload"/>)
    /// and read again by backward, so keep them unchanged until then. A table made with
    /// <see cref="Variable.SparseParameter"/> gets a row-sparse gradient; any other table a dense one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the table.</exception>
    public static Variable Embedding(Graph graph, Variable table, ReadOnlyMemory<int> indices) =>
        EmbeddingBag(graph, table, indices, default, mean: false);

    /// <summary>
    /// Sums or averages bags of rows (PyTorch's <c>F.embedding_bag</c> with <c>offsets</c>): bag b holds the indices
    /// [offsets[b], offsets[b + 1]) and gives y[b], [B, D]; an empty bag gives zeros. With empty
    /// <paramref name="offsets"/> it is <see cref="Embedding(Graph, Variable, ReadOnlyMemory{int})"/>. Used for
    /// multi-hot features such as a film's genres. Both lists are uploaded once per step (<see cref="Graph.Upload"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The offsets do not describe bags over the indices, or the table is not a matrix.</exception>
    public static Variable EmbeddingBag(Graph graph, Variable table, ReadOnlyMemory<int> indices, ReadOnlyMemory<int> offsets, bool mean)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(table);
        if (graph.Backend is not CpuCompute && table.Shape.Rank == 2)
        {
            // Checked on the host before a device copy, which the kernels cannot check; a CPU view is checked there.
            ComputeChecks.Indices(indices.Span, table.Shape[0], nameof(indices));
            if (!offsets.IsEmpty) ComputeChecks.BagOffsets(offsets.Span, offsets.Length - 1, indices.Length);
        }
        return EmbeddingBag(graph, table, graph.Upload(indices), offsets.IsEmpty ? default : graph.Upload(offsets), mean, indices);
    }

    /// <summary>
    /// <see cref="EmbeddingBag(Graph, Variable, ReadOnlyMemory{int}, ReadOnlyMemory{int}, bool)"/> over indices and
    /// offsets already on the graph's backend (empty offsets: one index per bag). A table with a sparse gradient keeps
    /// its row bookkeeping on the host, so it needs host indices (a CPU int tensor) here; pass host memory instead.
    /// </summary>
    /// <exception cref="ArgumentException">A sparse table with indices the host cannot read, or bad offsets.</exception>
    public static Variable EmbeddingBag(Graph graph, Variable table, IntTensor indices, IntTensor offsets, bool mean)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.SparseGrad is not null && !indices.IsHost && indices.Length > 0)
            throw new ArgumentException(
                $"EmbeddingBag: the table {table.Shape} has a sparse gradient, whose rows are tracked on the host; pass the indices as host memory, not as an int tensor on '{indices.Backend.Name}'.", nameof(indices));
        return EmbeddingBag(graph, table, indices, offsets, mean, default);
    }

    /// <summary>
    /// Stages a coming <see cref="EmbeddingBag(Graph, Variable, ReadOnlyMemory{int}, ReadOnlyMemory{int}, bool)"/> of
    /// this step for the graph's packed upload (<see cref="Graph.Stage"/>): the indices, the offsets and, for a table
    /// with a sparse gradient that records, the slots its backward will need. After <see cref="Graph.UploadStaged"/>
    /// the lookup and its backward copy nothing to the device. Call it once per table and step, with the memory the
    /// lookup will be given, after <c>ZeroGrad</c>. On the CPU it does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">An index is outside the table, or the offsets do not describe bags.</exception>
    public static void StageEmbeddingBag(Graph graph, Variable table, ReadOnlyMemory<int> indices, ReadOnlyMemory<int> offsets = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(table);
        if (graph.Backend is CpuCompute) return;
        graph.CheckInput(nameof(StageEmbeddingBag), table);
        if (table.Shape.Rank != 2)
            throw new ArgumentException($"StageEmbeddingBag: the table must be [rows, width]; got {table.Shape}.", nameof(table));
        ComputeChecks.Indices(indices.Span, table.Shape[0], nameof(indices));
        if (!offsets.IsEmpty) ComputeChecks.BagOffsets(offsets.Span, offsets.Length - 1, indices.Length);
        graph.Stage(indices);
        if (!offsets.IsEmpty) graph.Stage(offsets);
        if (table.SparseGrad is { } sparse && Graph.Records(table)) sparse.Stage(graph, indices, offsets.Span);
    }

    // `host`: the indices in host memory for a sparse table's bookkeeping (empty: read them from `indices`, a CPU tensor).
    private static Variable EmbeddingBag(Graph graph, Variable table, IntTensor indices, IntTensor offsets, bool mean, ReadOnlyMemory<int> host)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.CheckInput(nameof(EmbeddingBag), table);
        if (table.Shape.Rank != 2)
            throw new ArgumentException($"EmbeddingBag: the table must be [rows, width]; got {table.Shape}.", nameof(table));
        int bags = offsets.IsEmpty ? indices.Length : offsets.Length - 1;
        if (bags < 0) throw new ArgumentException("EmbeddingBag: offsets need at least one entry (0).", nameof(offsets));
        bool records = Graph.Records(table);
        Variable y = graph.Result(new Shape(bags, table.Shape[1]), records);
        graph.Backend.EmbeddingForward(y.Data, table.Data, indices, offsets, mean);
        if (records)
            graph.Record(new TapeEntry(EmbeddingBackward, y, table) { Labels = indices, Offsets = offsets, HostIndices = host, I0 = mean ? 1 : 0 });
        return y;
    }

    // A = table, Labels = indices, Offsets = bag offsets, HostIndices = the indices on the host (or empty), I0 = 1 for mean.
    // d table[indices[j]] += dy[bag of j] (÷ bag size). A sparse table collects the rows in its RowSparseGradient,
    // which maps each index to its slot on the host; a dense one in its full gradient (slot = row).
    private static void EmbeddingBackward(in TapeEntry e, Graph g)
    {
        Variable table = e.A!;
        bool mean = e.I0 == 1;
        if (table.SparseGrad is { } sparse)
        {
            // The slots first: registering the rows grows Values.
            if (sparse.TryPlanned(e.HostIndices, g, out IntTensor slots, out IntTensor slotGroups))
                g.Backend.EmbeddingBackward(sparse.Values, slots, slotGroups, e.Output.Grad, e.Offsets, mean);
            else
            {
                slots = sparse.SlotsFor(e.HostIndices.IsEmpty ? e.Labels.Span : e.HostIndices.Span);
                g.Backend.EmbeddingBackward(sparse.Values, slots, e.Output.Grad, e.Offsets, mean);
            }
        }
        else g.Backend.EmbeddingBackward(g.GradOf(table), e.Labels, e.Output.Grad, e.Offsets, mean);
    }
}
