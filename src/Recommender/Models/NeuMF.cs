using System.Globalization;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>The widths of a <see cref="NeuMF"/> model.</summary>
/// <param name="Width">The width d of each user and item embedding (GMF and MLP tables alike).</param>
/// <param name="GenreWidth">The width of the genre embeddings averaged per item.</param>
/// <param name="Hidden">The hidden widths of the MLP tower, e.g. 256-128-64.</param>
public sealed record NeuMFSpec(int Width, int GenreWidth, int[] Hidden)
{
    /// <summary>Parses "64:16:256-128-64" (width, genre width, hidden widths).</summary>
    /// <exception cref="ArgumentException">The text is not three ':'-separated parts of positive integers.</exception>
    public static NeuMFSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        int[] hidden;
        if (parts.Length != 3 || !Positive(parts[0], out int width) || !Positive(parts[1], out int genreWidth)
            || (hidden = parts[2].Split('-').Select(h => Positive(h, out int v) ? v : -1).ToArray()).Any(h => h <= 0))
            throw new ArgumentException($"NeuMF '{text}' should read WIDTH:GENRE_WIDTH:HIDDEN, e.g. 64:16:256-128-64.", nameof(text));
        return new NeuMFSpec(width, genreWidth, hidden);
    }

    /// <summary>"neumf d64 g16 256-128-64".</summary>
    public override string ToString() => $"neumf d{Width} g{GenreWidth} {string.Join("-", Hidden)}";

    private static bool Positive(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}

/// <summary>
/// Neural matrix factorisation (He et al., 2017) with genre features. Two branches meet in the output layer:
/// GMF = p_u ⊙ q_i (element-wise product of a user and an item embedding), and an MLP tower over
/// [u (d) ; i (d) ; g (the mean of the item's genre embeddings)] with ReLU hidden layers. The score is
/// Linear([GMF ; last hidden] → 1). Embedding tables have sparse gradients.
/// </summary>
public sealed partial class NeuMF : RecommenderModel
{
    private readonly Embedding _userGmf, _itemGmf, _userMlp, _itemMlp, _genres;
    private readonly Sequential _tower;
    private readonly Linear _output;
    private readonly int _mostGenres;
    // The genre bags StageBatch built and staged for the next Score of these items on this graph (training only; a
    // Score that does not match them, or comes after the graph's Reset, builds its own).
    private (Graph? Graph, ReadOnlyMemory<int> Items, Memory<int> Indices, Memory<int> Offsets) _staged;

    /// <summary>Builds the model with weights drawn from <paramref name="rng"/>: embeddings N(0, 0.1²), layers as PyTorch's Linear.</summary>
    public NeuMF(int users, int items, ItemGenres genres, NeuMFSpec spec, Rng rng) : base(users, items)
    {
        ArgumentNullException.ThrowIfNull(genres);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        if (genres.ItemCount != items)
            throw new ArgumentException($"The genre table covers {genres.ItemCount} items; the model has {items}.", nameof(genres));
        Genres = genres;
        Spec = spec;
        for (int i = 0; i < items; i++) _mostGenres = Math.Max(_mostGenres, genres.Offsets[i + 1] - genres.Offsets[i]);
        _userGmf = new Embedding(users, spec.Width, rng);
        _itemGmf = new Embedding(items, spec.Width, rng);
        _userMlp = new Embedding(users, spec.Width, rng);
        _itemMlp = new Embedding(items, spec.Width, rng);
        _genres = new Embedding(genres.GenreCount, spec.GenreWidth, rng);
        var layers = new List<Layer>();
        int width = 2 * spec.Width + spec.GenreWidth;
        foreach (int h in spec.Hidden)
        {
            layers.Add(new Linear(width, h, rng));
            layers.Add(new ReLU());
            width = h;
        }
        _tower = new Sequential([.. layers]);
        _output = new Linear(spec.Width + width, 1, rng);
    }

    /// <summary>The widths.</summary>
    public NeuMFSpec Spec { get; }

    /// <summary>The items' genres, which the model reads at every score.</summary>
    public ItemGenres Genres { get; }

    /// <inheritdoc />
    public override string Architecture => Spec.ToString();

    /// <inheritdoc />
    public override Variable Score(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (users.Length != items.Length)
            throw new ArgumentException($"{users.Length} users for {items.Length} items: score pairs one to one.", nameof(items));
        Variable gmf = Ops.Multiply(_userGmf.Forward(graph, users), _itemGmf.Forward(graph, items));
        (Memory<int> genreIndices, Memory<int> offsets) = _staged.Graph == graph && _staged.Items.Equals(items) && graph.Holds(_staged.Indices)
            ? (_staged.Indices, _staged.Offsets)
            : GenreBags(graph, items.Span);
        Variable genre = _genres.ForwardBags(graph, genreIndices, offsets);
        Variable tower = _tower.Forward(Ops.Concat(1, _userMlp.Forward(graph, users), _itemMlp.Forward(graph, items), genre));
        Variable score = _output.Forward(Ops.Concat(1, gmf, tower));
        return Ops.Reshape(score, items.Length);
    }

    /// <inheritdoc />
    protected override void StageBatch(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        _userGmf.Stage(graph, users);
        _itemGmf.Stage(graph, items);
        _userMlp.Stage(graph, users);
        _itemMlp.Stage(graph, items);
        (Memory<int> indices, Memory<int> offsets) = GenreBags(graph, items.Span);
        _genres.Stage(graph, indices, offsets);
        _staged = (graph, items, indices, offsets);
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Module Child)> Children() =>
    [
        ("user_gmf", _userGmf), ("item_gmf", _itemGmf), ("user_mlp", _userMlp), ("item_mlp", _itemMlp), ("genre", _genres),
        ("tower", _tower), ("output", _output),
    ];

    // The genre bags of the given items, in buffers the graph keeps until backward. The index buffer is asked for at
    // the most the items could need (each with the most genres any item has), not at what these items need: the graph
    // hands its buffers out by size, and a batch whose genres outnumber every earlier one would otherwise grow it.
    private (Memory<int> Indices, Memory<int> Offsets) GenreBags(Graph graph, ReadOnlySpan<int> items)
    {
        int total = 0;
        foreach (int item in items)
        {
            if ((uint)item >= (uint)ItemCount) throw new ArgumentOutOfRangeException(nameof(items), $"Item {item} is outside [0, {ItemCount}).");
            total += Genres.Offsets[item + 1] - Genres.Offsets[item];
        }
        Memory<int> indices = graph.Indices(items.Length * _mostGenres)[..total], offsets = graph.Indices(items.Length + 1);
        Span<int> idx = indices.Span, off = offsets.Span;
        int at = 0;
        for (int k = 0; k < items.Length; k++)
        {
            off[k] = at;
            ReadOnlySpan<int> g = Genres.Of(items[k]);
            g.CopyTo(idx[at..]);
            at += g.Length;
        }
        off[items.Length] = at;
        return (indices, offsets);
    }
}
