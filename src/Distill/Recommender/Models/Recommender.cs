using TinyKd.Autograd;
using TinyKd.Autograd.Nn;

namespace TinyKd.Distill.Recommender;

/// <summary>
/// A model that scores (user, item) pairs: the score is a logit, σ(score) the predicted chance that the user likes
/// the item, and ranking a user's items by score gives the recommendation list.
/// </summary>
public abstract class Recommender : Module
{
    private readonly Graph _scoringGraph = new();
    private int[] _pairUsers = [];
    private int[] _pairItems = [];

    /// <summary>Sets the id ranges.</summary>
    protected Recommender(int users, int items)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(users);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(items);
        UserCount = users;
        ItemCount = items;
    }

    /// <summary>Users are numbered 0 .. UserCount − 1.</summary>
    public int UserCount { get; }

    /// <summary>Items are numbered 0 .. ItemCount − 1.</summary>
    public int ItemCount { get; }

    /// <summary>A short description of the architecture and its widths, e.g. "neumf d64 g16 256-128-64".</summary>
    public abstract string Architecture { get; }

    /// <summary>
    /// The scores of the pairs (users[k], items[k]), [N], recorded on <paramref name="graph"/>. Both lists are read
    /// again by backward: take them from <see cref="Graph.Indices"/> or keep them unchanged until then.
    /// </summary>
    public abstract Variable Score(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items);

    /// <summary>
    /// Scores every item for each of <paramref name="users"/>, row by row into <paramref name="scores"/>
    /// (users.Length × ItemCount), in evaluation mode without gradients (a model in training mode is switched back
    /// afterwards). This is what full-ranking evaluation and serving do; the buffers are reused, so repeated calls on
    /// a model in evaluation mode allocate nothing once warm.
    /// </summary>
    /// <exception cref="ArgumentException">The score buffer has the wrong length, or a user is out of range.</exception>
    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length != users.Length * ItemCount)
            throw new ArgumentException($"Scoring {users.Length} users × {ItemCount} items needs {users.Length * ItemCount} scores; got {scores.Length}.", nameof(scores));
        foreach (int u in users)
            if ((uint)u >= (uint)UserCount) throw new ArgumentException($"User {u} is outside [0, {UserCount}).", nameof(users));
        bool training = IsTraining;
        if (training) Eval();
        using (GradMode.NoGrad())
        {
            BeginScoring();
            int usersPerChunk = Math.Max(1, PairsPerChunk / ItemCount);
            for (int start = 0; start < users.Length; start += usersPerChunk)
            {
                int count = Math.Min(usersPerChunk, users.Length - start);
                ScoreUsers(users.Slice(start, count), scores.Slice(start * ItemCount, count * ItemCount));
            }
        }
        if (training) Train();
    }

    /// <summary>
    /// Called once at the start of every <see cref="ScoreAll"/>, in evaluation mode without gradients: a model whose
    /// scoring shortcut precomputes something from its current weights (NeuMF's item side) does it here, so the
    /// shortcut never sees stale weights.
    /// </summary>
    protected virtual void BeginScoring()
    {
    }

    /// <summary>How many pairs one forward pass of <see cref="ScoreAll"/> scores at most (bounds its memory).</summary>
    protected virtual int PairsPerChunk => 16384;

    /// <summary>
    /// Scores every item for a few users (at most <see cref="PairsPerChunk"/> pairs), in evaluation mode without
    /// gradients. The default scores the (user, item) pairs through <see cref="Score"/>; a model with a shortcut
    /// (MF is one matrix product) overrides it.
    /// </summary>
    protected virtual void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        int n = users.Length * ItemCount;
        if (_pairUsers.Length < n)
        {
            _pairUsers = new int[n];
            _pairItems = new int[n];
        }
        for (int k = 0; k < users.Length; k++)
            for (int i = 0; i < ItemCount; i++)
            {
                _pairUsers[k * ItemCount + i] = users[k];
                _pairItems[k * ItemCount + i] = i;
            }
        _scoringGraph.Reset();
        Variable s = Score(_scoringGraph, _pairUsers.AsMemory(0, n), _pairItems.AsMemory(0, n));
        s.Data.Backend.CopyToHost(s.Data, scores);
    }
}
