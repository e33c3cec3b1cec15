using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// A model that scores (user, item) pairs: the score is a logit, σ(score) the predicted chance that the user likes
/// the item, and ranking a user's items by score gives the recommendation list.
/// </summary>
public abstract class RecommenderModel : Module
{
    private readonly Stack<ScoringWorkspace> _idleWorkspaces = new();

    /// <summary>Sets the id ranges.</summary>
    protected RecommenderModel(int users, int items)
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
    /// Puts a training batch's integers on <paramref name="graph"/>'s backend in one copy before <see cref="Score"/>:
    /// the user and item ids, what the model derives from them (NeuMF's genre bags) and the slots and rows of every
    /// sparse embedding gradient, so that the step's forward and backward copy nothing more. Call it after
    /// <c>ZeroGrad</c> with the memory <see cref="Score"/> will be given. On the CPU it does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or an id is out of range.</exception>
    public void UploadBatch(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Backend is CpuCompute) return;
        if (users.Length != items.Length)
            throw new ArgumentException($"{users.Length} users for {items.Length} items: score pairs one to one.", nameof(items));
        StageBatch(graph, users, items);
        graph.UploadStaged();
    }

    /// <summary>
    /// Stages what <see cref="Score"/> of these pairs will upload (<see cref="Graph.Stage"/>,
    /// <see cref="Embedding.Stage"/>); called by <see cref="UploadBatch"/> on device backends only. The default stages
    /// the two id lists.
    /// </summary>
    protected virtual void StageBatch(Graph graph, ReadOnlyMemory<int> users, ReadOnlyMemory<int> items)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.Stage(users);
        graph.Stage(items);
    }

    /// <summary>
    /// Scores every item for each of <paramref name="users"/>, row by row into <paramref name="scores"/>
    /// (users.Length × ItemCount), in evaluation mode without gradients. This is what full-ranking evaluation and
    /// serving do. Thread-safe while the weights are not being trained: the model's mode is never switched, and each
    /// concurrent call borrows scratch of its own, which is kept for the next call, so a warm serving loop allocates
    /// nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The score buffer has the wrong length, or a user is out of range.</exception>
    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length != users.Length * ItemCount)
            throw new ArgumentException($"Scoring {users.Length} users × {ItemCount} items needs {users.Length * ItemCount} scores; got {scores.Length}.", nameof(scores));
        foreach (int u in users)
            if ((uint)u >= (uint)UserCount) throw new ArgumentException($"User {u} is outside [0, {UserCount}).", nameof(users));
        ScoringWorkspace workspace = BorrowWorkspace();
        try
        {
            using var _ = GradMode.NoGrad();
            BeginScoring();
            int usersPerChunk = Math.Max(1, PairsPerChunk / ItemCount);
            for (int start = 0; start < users.Length; start += usersPerChunk)
            {
                int count = Math.Min(usersPerChunk, users.Length - start);
                ScoreUsers(users.Slice(start, count), scores.Slice(start * ItemCount, count * ItemCount), workspace);
            }
        }
        finally
        {
            lock (_idleWorkspaces) _idleWorkspaces.Push(workspace);
        }
    }

    /// <summary>
    /// Called once at the start of every <see cref="ScoreAll"/>, without gradients, possibly by several threads at
    /// once: a model whose scoring shortcut precomputes something from its current weights (NeuMF's item side) does
    /// it here, so the shortcut never sees stale weights, and publishes it so that concurrent calls never see it half
    /// written.
    /// </summary>
    protected virtual void BeginScoring()
    {
    }

    /// <summary>How many pairs one forward pass of <see cref="ScoreAll"/> scores at most (bounds its memory).</summary>
    protected virtual int PairsPerChunk => 16384;

    /// <summary>
    /// Scores every item for a few users (at most <see cref="PairsPerChunk"/> pairs), in evaluation mode without
    /// gradients, with scratch memory from <paramref name="workspace"/> only (other threads may be scoring at the same
    /// time). The default scores the (user, item) pairs through <see cref="Score"/>; a model with a shortcut (MF is
    /// one matrix product) overrides it.
    /// </summary>
    protected virtual void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores, ScoringWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int n = users.Length * ItemCount;
        (int[] pairUsers, int[] pairItems) = workspace.Pairs(n);
        for (int k = 0; k < users.Length; k++)
            for (int i = 0; i < ItemCount; i++)
            {
                pairUsers[k * ItemCount + i] = users[k];
                pairItems[k * ItemCount + i] = i;
            }
        workspace.Graph.Reset();
        Variable s = Score(workspace.Graph, pairUsers.AsMemory(0, n), pairItems.AsMemory(0, n));
        s.Data.Backend.CopyToHost(s.Data, scores);
    }

    private ScoringWorkspace BorrowWorkspace()
    {
        ICompute backend = ScoringBackend;
        lock (_idleWorkspaces)
            while (_idleWorkspaces.TryPop(out ScoringWorkspace? idle))
                if (ReferenceEquals(idle.Backend, backend)) return idle; // else the model has moved since: drop it
        return new ScoringWorkspace(backend);
    }

    /// <summary>Releases the idle scoring workspaces' device memory with the parameters' (no scoring may be running).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            lock (_idleWorkspaces)
                while (_idleWorkspaces.TryPop(out ScoringWorkspace? idle)) idle.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The backend <see cref="ScoreAll"/>'s scratch lives on: by default that of the model's parameters.</summary>
    protected virtual ICompute ScoringBackend => (_firstParameter ??= Parameters()[0]).Data.Backend;

    private Variable? _firstParameter; // kept: Parameters() builds a list, and ScoreAll asks on every call
}
