using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Recommender;

// Scoring every item for a user without the training graph. The first tower layer is linear in [u ; i ; g], so its
// item part Z_i = W_item·[q'_i ; g_i] + b is the same for every user: it is computed once per ScoreAll, and each user
// adds only z_u = W_user·p'_u. The GMF branch folds into one matrix–vector product, w_gmf·(p_u ⊙ q_i) = q_i·(p_u ⊙ w_gmf).
// The pairwise path through Score stays the reference that tests compare this with.
public sealed partial class NeuMF
{
    private Tensor _itemPart;       // [I, h1]: Z_i
    private Tensor _userWeights;    // [h1, d]: the user columns of the first tower layer
    private Tensor _itemWeights, _itemGenres, _itemFeatures;
    private float[] _prepared = [], _current = [];  // the weights Z_i was computed from, and scratch to compare
    private Storage? _hidden, _hiddenNext, _userRows, _userPart, _gmfVectors, _scores;

    /// <summary>
    /// Precomputes the item part of the first tower layer from the current weights, unless the weights it depends on
    /// (the first layer, the item MLP table, the genre table) are bit for bit those of the last precomputation: a
    /// serving loop that scores one user per call then pays for it once, and training can never leave it stale.
    /// </summary>
    protected override void BeginScoring()
    {
        ICompute c = Backend;
        var first = (Linear)_tower[0];
        if (Unchanged(first.Weight.Data, first.Bias!.Data, _itemMlp.Weight.Data, _genres.Weight.Data)) return;
        int d = Spec.Width, g = Spec.GenreWidth, h1 = first.OutFeatures, items = ItemCount;
        _userWeights = Sized(_userWeights, new Shape(h1, d));
        _itemWeights = Sized(_itemWeights, new Shape(h1, d + g));
        c.CopyAlongAxis(_userWeights, 0, first.Weight.Data, 0, d, 1);
        c.CopyAlongAxis(_itemWeights, 0, first.Weight.Data, d, d + g, 1);
        _itemGenres = Sized(_itemGenres, new Shape(items, g));
        c.EmbeddingForward(_itemGenres, _genres.Weight.Data, Genres.Indices, Genres.Offsets, mean: true);
        _itemFeatures = Sized(_itemFeatures, new Shape(items, d + g));
        c.CopyAlongAxis(_itemFeatures, 0, _itemMlp.Weight.Data, 0, d, 1);
        c.CopyAlongAxis(_itemFeatures, d, _itemGenres, 0, g, 1);
        _itemPart = Sized(_itemPart, new Shape(items, h1));
        c.Gemm(_itemPart, _itemFeatures, Transpose.No, _itemWeights, Transpose.Yes, bias: first.Bias.Data);
    }

    // True when the tensors hold exactly the values of the previous call; otherwise remembers the new values.
    private bool Unchanged(params ReadOnlySpan<Tensor> inputs)
    {
        int length = 0;
        foreach (Tensor t in inputs) length += t.Length;
        if (_current.Length != length) (_current, _prepared) = (new float[length], []);
        int at = 0;
        foreach (Tensor t in inputs)
        {
            t.Backend.CopyToHost(t, _current.AsSpan(at, t.Length));
            at += t.Length;
        }
        if (_current.AsSpan().SequenceEqual(_prepared)) return true;
        (_prepared, _current) = (_current, _prepared.Length == length ? _prepared : new float[length]);
        return false;
    }

    /// <summary>Scores all items for each user from the precomputed item part (see the file's header).</summary>
    protected override void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        ICompute c = Backend;
        int n = users.Length, items = ItemCount, d = Spec.Width, h1 = _itemPart.Shape[1];
        Tensor outputWeight = _output.Weight.Data;                  // [1, d + h_last]
        Tensor score = View(ref _scores, n * items, 1);
        Tensor userRows = View(ref _userRows, n, d);
        Tensor userPart = View(ref _userPart, n, h1);
        Tensor hidden = View(ref _hidden, n * items, h1);

        c.EmbeddingForward(userRows, _userMlp.Weight.Data, users, default, false);
        c.Gemm(userPart, userRows, Transpose.No, _userWeights, Transpose.Yes);
        for (int k = 0; k < n; k++)
        {
            Tensor block = hidden.Slice(k * items, items);
            c.Binary(BinaryOp.Add, block, _itemPart, userPart.Slice(k, 1));
            c.Unary(UnaryOp.Relu, block, block);
        }
        for (int layer = 2; layer < _tower.Count; layer += 2)
        {
            var linear = (Linear)_tower[layer];
            Tensor next = View(ref _hiddenNext, n * items, linear.OutFeatures);
            c.Gemm(next, hidden, Transpose.No, linear.Weight.Data, Transpose.Yes, bias: linear.Bias!.Data, epilogue: Epilogue.Relu);
            (_hidden, _hiddenNext) = (_hiddenNext, _hidden);
            hidden = next;
        }
        Tensor towerWeight = Column(outputWeight, d, hidden.Shape[1]);
        c.Gemm(score, hidden, Transpose.No, towerWeight, Transpose.Yes, bias: _output.Bias!.Data);

        Tensor gmf = View(ref _gmfVectors, n, d);                  // row k: p_u ⊙ w_gmf
        c.EmbeddingForward(gmf, _userGmf.Weight.Data, users, default, false);
        c.Binary(BinaryOp.Multiply, gmf, gmf, Column(outputWeight, 0, d));
        for (int k = 0; k < n; k++)
            c.Gemm(score.Slice(k * items, items), _itemGmf.Weight.Data, Transpose.No, gmf.Slice(k, 1), Transpose.Yes, beta: 1f);
        c.CopyToHost(score, scores);
    }

    private ICompute Backend => _output.Weight.Data.Backend;

    // Columns [start, start + count) of a one-row weight, as a [1, count] tensor (a view: one row is contiguous).
    private static Tensor Column(Tensor row, int start, int count) => new(row.Storage, new Shape(1, count), row.Offset + start);

    private Tensor Sized(Tensor current, Shape shape) =>
        !current.IsEmpty && current.Shape == shape ? current : Tensor.Zeros(shape, Backend);

    // A [rows, columns] view of a reused buffer that grows when needed.
    private Tensor View(ref Storage? buffer, int rows, int columns)
    {
        if (buffer is null || buffer.Length < rows * columns) buffer = Backend.Allocate(rows * columns);
        return new Tensor(buffer, new Shape(rows, columns));
    }
}
