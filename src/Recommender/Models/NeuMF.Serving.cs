using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

// Scoring every item for a user without the training graph. The first tower layer is linear in [u ; i ; g], so its
// item part Z_i = W_item·[q'_i ; g_i] + b is the same for every user: it is computed once per set of weights, and each user
// adds only z_u = W_user·p'_u. The GMF branch folds into one matrix–vector product, w_gmf·(p_u ⊙ q_i) = q_i·(p_u ⊙ w_gmf).
// The pairwise path through Score stays the reference that tests compare this with.
public sealed partial class NeuMF
{
    private readonly Lock _itemSideLock = new();
    private ItemSide? _itemSide;                     // published whole, never changed afterwards
    private Tensor _prepared, _difference, _changed; // on the weights' backend: the weights _itemSide was computed from,
                                                      // scratch for their difference from the current ones, and its size

    // Z_i [I, h1] and the user columns of the first tower layer [h1, d], computed together from one set of weights.
    private sealed record ItemSide(Tensor ItemPart, Tensor UserWeights);

    /// <summary>
    /// Precomputes the item part of the first tower layer from the current weights, unless the weights it depends on
    /// (the first layer, the item MLP table, the genre table) equal those of the last precomputation, compared where they
    /// live with one number read back: a serving loop that scores one user per call then pays for it once, and
    /// training can never leave it stale. A new
    /// item side is computed into fresh tensors and published whole, so a concurrent call keeps reading the one it
    /// started with.
    /// </summary>
    protected override void BeginScoring()
    {
        lock (_itemSideLock)
        {
            var first = (Linear)_tower[0];
            if (Unchanged(first.Weight.Data, first.Bias!.Data, _itemMlp.Weight.Data, _genres.Weight.Data) && _itemSide is not null) return;
            var (itemPart, userWeights) = FirstLayerSides(OutputBackend, Spec, Genres, first.Weight.Data, first.Bias.Data, _itemMlp.Weight.Data, _genres.Weight.Data);
            Volatile.Write(ref _itemSide, new ItemSide(itemPart, userWeights));
        }
    }

    /// <summary>
    /// The two sides of the first tower layer, W₁ [h1, 2d + g] over [u ; i ; g]: the item part Z = [q'_i ; g_i]·W₁,itemᵀ + b₁
    /// [I, h1] from the item MLP table [I, d] and the mean of each item's genre rows [G, g], and the user columns
    /// W₁,user [h1, d]. Shared by this model's scoring and <see cref="QuantizedNeuMF"/>'s (from dequantized tables).
    /// </summary>
    internal static (Tensor ItemPart, Tensor UserWeights) FirstLayerSides(ICompute c, NeuMFSpec spec, ItemGenres genres,
        Tensor firstWeight, Tensor firstBias, Tensor itemMlp, Tensor genreTable)
    {
        int d = spec.Width, g = spec.GenreWidth, h1 = firstWeight.Shape[0], items = genres.ItemCount;
        Tensor userWeights = Tensor.Zeros(new Shape(h1, d), c);
        Tensor itemWeights = Tensor.Zeros(new Shape(h1, d + g), c);
        c.CopyAlongAxis(userWeights, 0, firstWeight, 0, d, 1);
        c.CopyAlongAxis(itemWeights, 0, firstWeight, d, d + g, 1);
        Tensor itemGenres = Tensor.Zeros(new Shape(items, g), c);
        var (genreIndices, genreOffsets) = genres.On(c);
        c.EmbeddingForward(itemGenres, genreTable, genreIndices, genreOffsets, mean: true);
        Tensor itemFeatures = Tensor.Zeros(new Shape(items, d + g), c);
        c.CopyAlongAxis(itemFeatures, 0, itemMlp, 0, d, 1);
        c.CopyAlongAxis(itemFeatures, d, itemGenres, 0, g, 1);
        Tensor itemPart = Tensor.Zeros(new Shape(items, h1), c);
        c.Gemm(itemPart, itemFeatures, Transpose.No, itemWeights, Transpose.Yes, bias: firstBias);
        DeviceMemory.Release(itemWeights);
        DeviceMemory.Release(itemGenres);
        DeviceMemory.Release(itemFeatures);
        return (itemPart, userWeights);
    }

    /// <summary>
    /// Releases the precomputed item side, the weights it was computed from and the genre lists' device copy (uploaded
    /// again by whoever needs it next), with the rest of the model.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DeviceMemory.Release(_prepared);
            DeviceMemory.Release(_difference);
            DeviceMemory.Release(_changed);
            Genres.ReleaseDeviceCopy(OutputBackend);
            if (_itemSide is { } side)
            {
                DeviceMemory.Release(side.ItemPart);
                DeviceMemory.Release(side.UserWeights);
            }
        }
        base.Dispose(disposing);
    }

    // True when the tensors hold exactly the values of the previous call; otherwise remembers the new values. The
    // comparison runs where the weights live and brings one number to the host: Σ (2¹⁰⁰·(current − prepared))², which
    // is 0 exactly when every difference is (the factor lifts the smallest subnormal difference out of underflow when
    // squared; an overflow or a NaN reads as a change, as it should).
    private bool Unchanged(params ReadOnlySpan<Tensor> inputs)
    {
        ICompute c = inputs[0].Backend;
        int length = 0;
        foreach (Tensor t in inputs) length += t.Length;
        bool fresh = _prepared.IsEmpty || _prepared.Length != length || !ReferenceEquals(_prepared.Backend, c);
        if (fresh)
        {
            (_prepared, _difference, _changed) = (Tensor.Zeros(new Shape(length), c), Tensor.Zeros(new Shape(length), c), Tensor.Zeros(new Shape(1), c));
        }
        else
        {
            int at = 0;
            foreach (Tensor t in inputs)
            {
                c.Binary(BinaryOp.Subtract, _difference.Slice(at, t.Length), t.Reshape(t.Length), _prepared.Slice(at, t.Length));
                at += t.Length;
            }
            c.Axpby(_difference, _difference, DifferenceLift, 0f);
            c.SumOfSquares(_changed, _difference, 1f);
            if (_changed.Item() == 0f) return true;
        }
        int offset = 0;
        foreach (Tensor t in inputs)
        {
            c.Copy(_prepared.Slice(offset, t.Length), t.Reshape(t.Length));
            offset += t.Length;
        }
        return false;
    }

    private const float DifferenceLift = 1.2676506e30f; // 2¹⁰⁰

    /// <summary>Scores all items for each user from the precomputed item part (see the file's header).</summary>
    protected override void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores, ScoringWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ItemSide side = Volatile.Read(ref _itemSide)
            ?? throw new InvalidOperationException("NeuMF.ScoreUsers runs only inside ScoreAll, after BeginScoring.");
        ICompute c = OutputBackend;
        int n = users.Length, items = ItemCount, d = Spec.Width, h1 = side.ItemPart.Shape[1];
        Tensor outputWeight = _output.Weight.Data;                  // [1, d + h_last]
        Tensor score = workspace.Buffer(0, n * items, 1);
        Tensor userRows = workspace.Buffer(1, n, d);
        Tensor userPart = workspace.Buffer(2, n, h1);
        int hiddenSlot = 3, nextSlot = 4;
        Tensor hidden = workspace.Buffer(hiddenSlot, n * items, h1);

        IntTensor userIds = workspace.Users(users);
        c.EmbeddingForward(userRows, _userMlp.Weight.Data, userIds, default, false);
        c.Gemm(userPart, userRows, Transpose.No, side.UserWeights, Transpose.Yes);
        for (int k = 0; k < n; k++)
        {
            Tensor block = hidden.Slice(k * items, items);
            c.Binary(BinaryOp.Add, block, side.ItemPart, userPart.Slice(k, 1));
            c.Unary(UnaryOp.Relu, block, block);
        }
        for (int layer = 2; layer < _tower.Count; layer += 2)
        {
            var linear = (Linear)_tower[layer];
            Tensor next = workspace.Buffer(nextSlot, n * items, linear.OutFeatures);
            c.Gemm(next, hidden, Transpose.No, linear.Weight.Data, Transpose.Yes, bias: linear.Bias!.Data, epilogue: Epilogue.Relu);
            (hiddenSlot, nextSlot) = (nextSlot, hiddenSlot);
            hidden = next;
        }
        Tensor towerWeight = Column(outputWeight, d, hidden.Shape[1]);
        c.Gemm(score, hidden, Transpose.No, towerWeight, Transpose.Yes, bias: _output.Bias!.Data);

        Tensor gmf = workspace.Buffer(5, n, d);                   // row k: p_u ⊙ w_gmf
        c.EmbeddingForward(gmf, _userGmf.Weight.Data, userIds, default, false);
        c.Binary(BinaryOp.Multiply, gmf, gmf, Column(outputWeight, 0, d));
        for (int k = 0; k < n; k++)
            c.Gemm(score.Slice(k * items, items), _itemGmf.Weight.Data, Transpose.No, gmf.Slice(k, 1), Transpose.Yes, beta: 1f);
        c.CopyToHost(score, scores);
    }

    private ICompute OutputBackend => _output.Weight.Data.Backend;

    // Columns [start, start + count) of a one-row weight, as a [1, count] tensor (a view: one row is contiguous).
    private static Tensor Column(Tensor row, int start, int count) => new(row.Storage, new Shape(1, count), row.Offset + start);
}
