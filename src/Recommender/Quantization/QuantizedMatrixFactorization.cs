using TinyKd.Autograd;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// A trained <see cref="MatrixFactorization"/> served from int8 embedding tables: user rows with codes in ±127 and
/// item rows in ±64, one float scale per row (<see cref="Int8EmbeddingTable"/>), item biases in fp32. The score is
/// the integer dot of the two code rows rescaled, s(u, i) = (Σ_d q_u,d·q_i,d)·(s_u·s_i) + b_i: exact int32 sums, so
/// the same on every kernel path and thread count. Forward-only: it scores, it does not train.
/// </summary>
/// <remarks>
/// Serving runs the item table as the weight of <see cref="ICompute.Int8Linear"/> (u8 × 7-bit s8, MLAS's packing) and
/// each user row as its u8 activation q_u + 128 with scale s_u: the user's own row is the quantization, exact (the
/// dequantized row q_u·s_u requantizes to q_u, since |q_u| ≤ 127 keeps the rounding error far below ½), so a user's
/// scores never depend on which other users share the call. CPU only, like the int8 kernels.
/// </remarks>
public sealed class QuantizedMatrixFactorization : RecommenderModel
{
    /// <summary>The code bound of the user table: all of int8.</summary>
    public const int UserMagnitude = 127;

    /// <summary>The u8 code of a zero user element: q_u + 128 ∈ [1, 255].</summary>
    private const byte UserZeroPoint = 128;

    private readonly float[] _itemBias;
    private readonly Int8LinearWeight _itemWeight;
    private readonly Tensor _bias;

    /// <summary>Builds the model from its quantized tables and item biases (what a model file holds).</summary>
    /// <exception cref="ArgumentException">The tables' widths or item counts disagree, the user codes exceed ±127, the item codes ±64, or a bias is not finite.</exception>
    public QuantizedMatrixFactorization(Int8EmbeddingTable users, Int8EmbeddingTable items, ReadOnlySpan<float> itemBias)
        : base(Checked(users).Rows, Checked(items).Rows)
    {
        if (users.Width != items.Width)
            throw new ArgumentException($"The user table has width {users.Width}, the item table {items.Width}.", nameof(items));
        if (users.MaxMagnitude > UserMagnitude || items.MaxMagnitude > Int8LinearWeight.MaxMagnitude)
            throw new ArgumentException($"User codes must stay within ±{UserMagnitude} and item codes within ±{Int8LinearWeight.MaxMagnitude}; " +
                                        $"the tables allow ±{users.MaxMagnitude} and ±{items.MaxMagnitude}.", nameof(items));
        if (itemBias.Length != items.Rows)
            throw new ArgumentException($"{itemBias.Length} item biases for {items.Rows} items.", nameof(itemBias));
        foreach (float b in itemBias)
            if (!float.IsFinite(b)) throw new ArgumentException($"An item bias is {b}; biases must be finite.", nameof(itemBias));
        UserTable = users;
        ItemTable = items;
        _itemBias = itemBias.ToArray();
        _itemWeight = items.ToLinearWeight();
        _bias = Tensor.FromArray(_itemBias.ToArray(), _itemBias.Length);
    }

    /// <summary>Quantizes a trained model's tables (per-row scales); the item biases stay fp32.</summary>
    public static QuantizedMatrixFactorization Quantize(MatrixFactorization model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Dictionary<string, Tensor> state = model.StateDict();
        float[] users = state["user.weight"].ToArray(), items = state["item.weight"].ToArray();
        return new QuantizedMatrixFactorization(
            Int8EmbeddingTable.Quantize(users, model.UserCount, model.Width, UserMagnitude),
            Int8EmbeddingTable.Quantize(items, model.ItemCount, model.Width, Int8LinearWeight.MaxMagnitude),
            state["item_bias.weight"].ToArray());
    }

    /// <summary>The user rows, codes in ±127.</summary>
    public Int8EmbeddingTable UserTable { get; }

    /// <summary>The item rows, codes in ±64 (the weight of the int8 scoring product).</summary>
    public Int8EmbeddingTable ItemTable { get; }

    /// <summary>The fp32 item biases.</summary>
    public ReadOnlySpan<float> ItemBias => _itemBias;

    /// <summary>The embedding width.</summary>
    public int Width => UserTable.Width;

    /// <summary>Bytes of the tables and biases as stored: both int8 tables with their scales, and 4 bytes per item bias.</summary>
    public long TableBytes => UserTable.ByteSize + ItemTable.ByteSize + (long)_itemBias.Length * sizeof(float);

    /// <inheritdoc />
    public override string Architecture => $"mf d{Width} int8";

    /// <summary>
    /// The scores of the pairs, computed on the host in the serving kernel's arithmetic (so each equals the
    /// corresponding <see cref="RecommenderModel.ScoreAll"/> entry bit for bit) and handed to <paramref name="graph"/> as a
    /// constant input: nothing here has a gradient.
    /// </summary>
    public override Variable Score(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (users.Length != items.Length)
            throw new ArgumentException($"{users.Length} users for {items.Length} items: score pairs one to one.", nameof(items));
        var scores = new float[users.Length];
        ReadOnlySpan<int> u = users.Span, i = items.Span;
        ReadOnlySpan<sbyte> p = UserTable.Codes, q = ItemTable.Codes;
        int d = Width;
        for (int k = 0; k < scores.Length; k++)
        {
            if ((uint)u[k] >= (uint)UserCount || (uint)i[k] >= (uint)ItemCount)
                throw new ArgumentException($"Pair {k} ({u[k]}, {i[k]}) is outside {UserCount} users × {ItemCount} items.", nameof(users));
            int dot = 0;
            for (int j = 0; j < d; j++) dot += p[u[k] * d + j] * q[i[k] * d + j];
            scores[k] = dot * (UserTable.Scale(u[k]) * ItemTable.Scale(i[k])) + _itemBias[i[k]];
        }
        return graph.Input(Tensor.FromArray(scores, scores.Length));
    }

    /// <summary>Each user: its dequantized row, then one int8 GEMV against every item row with the item biases (see the remarks).</summary>
    protected override void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores, ScoringWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ICompute backend = workspace.Backend;
        Tensor rows = workspace.Buffer(0, users.Length, Width);
        Tensor result = workspace.Buffer(1, users.Length, ItemCount);
        UserTable.Gather(users, rows.Span);
        for (int k = 0; k < users.Length; k++)
            backend.Int8Linear(result.Slice(k, 1), rows.Slice(k, 1), _itemWeight, _bias,
                activation: new ActivationQuantization(UserTable.Scale(users[k]), UserZeroPoint));
        backend.CopyToHost(result, scores);
    }

    /// <inheritdoc />
    protected override ICompute ScoringBackend => CpuCompute.Default;

    private static Int8EmbeddingTable Checked(Int8EmbeddingTable? table) => table ?? throw new ArgumentNullException(nameof(table));
}
