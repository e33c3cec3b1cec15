using TinyKd.Autograd;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// A trained <see cref="NeuMF"/> served from int8: the five embedding tables (user and item GMF, user and item MLP,
/// genres) with codes in ±127 and one float scale per row (the item GMF table ±64, the weight of an int8 product), and
/// every tower layer's weight with 7-bit codes per output row (<see cref="Int8LinearWeight"/>'s grid); biases and
/// the one-row output layer stay fp32. Forward-only: it scores, it does not train.
/// </summary>
/// <remarks>
/// Scoring follows <see cref="NeuMF"/>'s serving shortcut. The first tower layer is linear in [u ; i ; g], so its item
/// part Z = W₁,item·[q'_i ; g_i] + b₁ is computed once, at construction, from the dequantized tables and weight; each
/// user adds z_u = W₁,user·p'_u. The deeper tower layers run as int8 products (<see cref="ICompute.Int8Linear"/>, ReLU
/// fused) on the user's [items, width] block, quantized to u8 from that block's own range (dynamic), so a user's scores
/// never depend on which other users share the call. The GMF branch is one int8 product of the item GMF table with
/// p_u ⊙ w_gmf. CPU only, like the int8 kernels.
/// </remarks>
public sealed class QuantizedNeuMF : RecommenderModel
{
    /// <summary>The code bound of the tables read as embeddings: all of int8.</summary>
    public const int TableMagnitude = 127;

    private readonly Int8LinearWeight[] _towerWeights;
    private readonly Tensor[] _towerBiases;
    private readonly float[] _outputWeight;
    private readonly float _outputBias;
    private readonly Int8LinearWeight _itemGmfWeight;
    private readonly Tensor _itemPart, _userWeights, _gmfWeight, _towerOutput, _outputBiasTensor;

    /// <summary>Builds the model from its quantized parts (what a model file holds).</summary>
    /// <param name="spec">The widths.</param>
    /// <param name="genres">The items' genres.</param>
    /// <param name="tables">User GMF [U, d], item GMF [I, d] (codes ±64), user MLP [U, d], item MLP [I, d], genres [G, g].</param>
    /// <param name="tower">Each tower layer's weight [h, in] with codes in ±64, and its fp32 bias [h].</param>
    /// <param name="outputWeight">The output layer's d + h_last fp32 weights (GMF part first).</param>
    /// <param name="outputBias">The output layer's bias.</param>
    /// <exception cref="ArgumentException">A table or layer of the wrong shape or code bound, a bias of the wrong length, or a value that is not finite.</exception>
    public QuantizedNeuMF(NeuMFSpec spec, ItemGenres genres, QuantizedNeuMFTables tables,
        IReadOnlyList<(Int8EmbeddingTable Weight, float[] Bias)> tower, ReadOnlySpan<float> outputWeight, float outputBias)
        : base(Checked(tables).UserGmf.Rows, tables.ItemGmf.Rows)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(genres);
        ArgumentNullException.ThrowIfNull(tower);
        Spec = spec;
        Genres = genres;
        Tables = tables;
        Tower = [.. tower];
        CheckShapes(spec, genres, tables, tower, outputWeight.Length);
        if (!float.IsFinite(outputBias) || outputWeight.ToArray().Any(w => !float.IsFinite(w)) || tower.Any(l => l.Bias.Any(b => !float.IsFinite(b))))
            throw new ArgumentException("A bias or an output weight is not finite.", nameof(tower));
        _towerWeights = [.. tower.Skip(1).Select(l => l.Weight.ToLinearWeight())];
        _towerBiases = [.. tower.Skip(1).Select(l => Tensor.FromArray(l.Bias.ToArray(), l.Bias.Length))];
        _outputWeight = outputWeight.ToArray();
        _outputBias = outputBias;
        _outputBiasTensor = Tensor.FromArray([outputBias], 1);
        _itemGmfWeight = tables.ItemGmf.ToLinearWeight();
        _gmfWeight = Tensor.FromArray(_outputWeight[..spec.Width], 1, spec.Width);
        _towerOutput = Tensor.FromArray(_outputWeight[spec.Width..], 1, _outputWeight.Length - spec.Width);
        (_itemPart, _userWeights) = FirstLayer(spec, genres, tables, tower[0]);
    }

    /// <summary>Quantizes a trained model's tables (per-row scales) and tower weights (7-bit per row); biases and the output layer stay fp32.</summary>
    /// <exception cref="ArgumentException">A weight is not finite.</exception>
    public static QuantizedNeuMF Quantize(NeuMF model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Dictionary<string, Tensor> state = model.StateDict();
        NeuMFSpec spec = model.Spec;
        int d = spec.Width;
        Int8EmbeddingTable Table(string name, int rows, int width, int magnitude) =>
            Int8EmbeddingTable.Quantize(state[name].Span, rows, width, magnitude);
        var tables = new QuantizedNeuMFTables(
            Table("user_gmf.weight", model.UserCount, d, TableMagnitude),
            Table("item_gmf.weight", model.ItemCount, d, Int8LinearWeight.MaxMagnitude),
            Table("user_mlp.weight", model.UserCount, d, TableMagnitude),
            Table("item_mlp.weight", model.ItemCount, d, TableMagnitude),
            Table("genre.weight", model.Genres.GenreCount, spec.GenreWidth, TableMagnitude));
        var tower = new List<(Int8EmbeddingTable, float[])>();
        int width = 2 * d + spec.GenreWidth;
        for (int k = 0; k < spec.Hidden.Length; k++)
        {
            tower.Add((Table($"tower.{2 * k}.weight", spec.Hidden[k], width, Int8LinearWeight.MaxMagnitude), state[$"tower.{2 * k}.bias"].ToArray()));
            width = spec.Hidden[k];
        }
        return new QuantizedNeuMF(spec, model.Genres, tables, tower, state["output.weight"].Span, state["output.bias"].Span[0]);
    }

    /// <summary>The widths.</summary>
    public NeuMFSpec Spec { get; }

    /// <summary>The items' genres.</summary>
    public ItemGenres Genres { get; }

    /// <summary>The five int8 embedding tables.</summary>
    public QuantizedNeuMFTables Tables { get; }

    /// <summary>The tower layers: int8 weight (codes ±64, per-row scales) and fp32 bias, input to output.</summary>
    public IReadOnlyList<(Int8EmbeddingTable Weight, float[] Bias)> Tower { get; }

    /// <summary>The output layer's fp32 weights, d (GMF) + h_last (tower).</summary>
    public ReadOnlySpan<float> OutputWeight => _outputWeight;

    /// <summary>The output layer's bias.</summary>
    public float OutputBias => _outputBias;

    /// <summary>Bytes of the parameters as stored: int8 codes with 4-byte row scales, fp32 biases and output layer.</summary>
    public long ParameterBytes => Tables.All.Sum(t => t.ByteSize) + Tower.Sum(l => l.Weight.ByteSize + (long)l.Bias.Length * sizeof(float))
                                  + (_outputWeight.Length + 1L) * sizeof(float);

    /// <inheritdoc />
    public override string Architecture => $"{Spec} int8";

    /// <summary>
    /// The scores of the pairs: each distinct user's row of <see cref="RecommenderModel.ScoreAll"/>, so every pair's score is
    /// that entry bit for bit. A constant input of <paramref name="graph"/>: nothing here has a gradient.
    /// </summary>
    public override Variable Score(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (users.Length != items.Length)
            throw new ArgumentException($"{users.Length} users for {items.Length} items: score pairs one to one.", nameof(items));
        ReadOnlySpan<int> u = users.Span, i = items.Span;
        for (int k = 0; k < u.Length; k++)
            if ((uint)u[k] >= (uint)UserCount || (uint)i[k] >= (uint)ItemCount)
                throw new ArgumentException($"Pair {k} ({u[k]}, {i[k]}) is outside {UserCount} users × {ItemCount} items.", nameof(users));
        int[] distinct = [.. u.ToArray().Distinct()];
        var rows = new float[distinct.Length * ItemCount];
        ScoreAll(distinct, rows);
        var row = new Dictionary<int, int>(distinct.Select((user, k) => KeyValuePair.Create(user, k)));
        var scores = new float[u.Length];
        for (int k = 0; k < scores.Length; k++) scores[k] = rows[row[u[k]] * ItemCount + i[k]];
        return graph.Input(Tensor.FromArray(scores, scores.Length));
    }

    /// <summary>Each user on its own: z_u, the first layer's ReLU over the precomputed item part, the int8 tower, the output and the int8 GMF product.</summary>
    protected override void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores, ScoringWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ICompute c = workspace.Backend;
        int items = ItemCount, d = Spec.Width, h1 = _itemPart.Shape[1];
        Tensor userRow = workspace.Buffer(0, 1, d), userPart = workspace.Buffer(1, 1, h1);
        Tensor score = workspace.Buffer(2, users.Length * items, 1), gmf = workspace.Buffer(3, 1, items);
        var gmfColumn = new Tensor(gmf.Storage, new Shape(items, 1), gmf.Offset);
        for (int k = 0; k < users.Length; k++)
        {
            Tables.UserMlp.Gather(users.Slice(k, 1), userRow.Span);
            c.Gemm(userPart, userRow, Transpose.No, _userWeights, Transpose.Yes);
            Tensor hidden = workspace.Buffer(4, items, h1);
            c.Binary(BinaryOp.Add, hidden, _itemPart, userPart);
            c.Unary(UnaryOp.Relu, hidden, hidden);
            for (int layer = 0; layer < _towerWeights.Length; layer++)
            {
                Tensor next = workspace.Buffer(5 + layer % 2, items, _towerWeights[layer].OutFeatures);
                c.Int8Linear(next, hidden, _towerWeights[layer], _towerBiases[layer], Epilogue.Relu);
                hidden = next;
            }
            Tensor column = score.Slice(k * items, items);
            c.Gemm(column, hidden, Transpose.No, _towerOutput, Transpose.Yes, bias: _outputBiasTensor);
            Tables.UserGmf.Gather(users.Slice(k, 1), userRow.Span);
            c.Binary(BinaryOp.Multiply, userRow, userRow, _gmfWeight);
            c.Int8Linear(gmf, userRow, _itemGmfWeight);
            c.Binary(BinaryOp.Add, column, column, gmfColumn);
        }
        c.CopyToHost(score, scores);
    }

    /// <inheritdoc />
    protected override ICompute ScoringBackend => CpuCompute.Default;

    // The first tower layer's item part and user columns from the dequantized tables and weight, by NeuMF's own code.
    private static (Tensor ItemPart, Tensor UserWeights) FirstLayer(NeuMFSpec spec, ItemGenres genres, QuantizedNeuMFTables tables,
        (Int8EmbeddingTable Weight, float[] Bias) first) =>
        NeuMF.FirstLayerSides(CpuCompute.Default, spec, genres, Dequantized(first.Weight), Tensor.FromArray(first.Bias.ToArray(), first.Bias.Length),
            Dequantized(tables.ItemMlp), Dequantized(tables.Genres));

    private static Tensor Dequantized(Int8EmbeddingTable table)
    {
        var values = new float[(long)table.Rows * table.Width];
        table.Dequantize(values);
        return Tensor.FromArray(values, table.Rows, table.Width);
    }

    private static void CheckShapes(NeuMFSpec spec, ItemGenres genres, QuantizedNeuMFTables tables,
        IReadOnlyList<(Int8EmbeddingTable Weight, float[] Bias)> tower, int outputWidth)
    {
        int d = spec.Width, users = tables.UserGmf.Rows, items = tables.ItemGmf.Rows;
        void Table(Int8EmbeddingTable t, string name, int rows, int width, int magnitude)
        {
            if (t.Rows != rows || t.Width != width || t.MaxMagnitude > magnitude)
                throw new ArgumentException($"The {name} table is [{t.Rows}, {t.Width}] with codes up to ±{t.MaxMagnitude}; it should be [{rows}, {width}] within ±{magnitude}.", nameof(tables));
        }
        Table(tables.UserGmf, "user GMF", users, d, TableMagnitude);
        Table(tables.ItemGmf, "item GMF", items, d, Int8LinearWeight.MaxMagnitude);
        Table(tables.UserMlp, "user MLP", users, d, TableMagnitude);
        Table(tables.ItemMlp, "item MLP", items, d, TableMagnitude);
        Table(tables.Genres, "genre", genres.GenreCount, spec.GenreWidth, TableMagnitude);
        if (genres.ItemCount != items)
            throw new ArgumentException($"The genre table covers {genres.ItemCount} items; the item tables hold {items}.", nameof(genres));
        if (tower.Count != spec.Hidden.Length)
            throw new ArgumentException($"{tower.Count} tower layers for hidden widths {string.Join("-", spec.Hidden)}.", nameof(tower));
        int width = 2 * d + spec.GenreWidth;
        for (int k = 0; k < tower.Count; k++)
        {
            Table(tower[k].Weight, $"tower layer {k}", spec.Hidden[k], width, Int8LinearWeight.MaxMagnitude);
            if (tower[k].Bias.Length != spec.Hidden[k])
                throw new ArgumentException($"Tower layer {k} has {tower[k].Bias.Length} biases for {spec.Hidden[k]} outputs.", nameof(tower));
            width = spec.Hidden[k];
        }
        if (outputWidth != d + width)
            throw new ArgumentException($"The output layer has {outputWidth} weights; it needs {d + width} (d + the last hidden width).", nameof(outputWidth));
    }

    private static QuantizedNeuMFTables Checked(QuantizedNeuMFTables? tables) => tables ?? throw new ArgumentNullException(nameof(tables));
}

/// <summary>The five int8 embedding tables of a <see cref="QuantizedNeuMF"/>.</summary>
/// <param name="UserGmf">User GMF embeddings [U, d], codes ±127.</param>
/// <param name="ItemGmf">Item GMF embeddings [I, d], codes ±64 (the weight of the int8 GMF product).</param>
/// <param name="UserMlp">User MLP embeddings [U, d], codes ±127.</param>
/// <param name="ItemMlp">Item MLP embeddings [I, d], codes ±127.</param>
/// <param name="Genres">Genre embeddings [G, g], codes ±127.</param>
public sealed record QuantizedNeuMFTables(Int8EmbeddingTable UserGmf, Int8EmbeddingTable ItemGmf, Int8EmbeddingTable UserMlp,
    Int8EmbeddingTable ItemMlp, Int8EmbeddingTable Genres)
{
    /// <summary>The tables in the order above.</summary>
    public IEnumerable<Int8EmbeddingTable> All => [UserGmf, ItemGmf, UserMlp, ItemMlp, Genres];
}
