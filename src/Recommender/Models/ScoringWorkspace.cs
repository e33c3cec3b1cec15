using TinyKd.Autograd;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// The scratch memory of one <see cref="RecommenderModel.ScoreAll"/> call: a graph in evaluation mode, the (user, item)
/// pair lists and numbered buffers that grow when needed. A model keeps a few and lends one to each concurrent call,
/// so callers never share scratch and a warm serving loop allocates nothing.
/// </summary>
public sealed class ScoringWorkspace : IDisposable
{
    private readonly List<Storage?> _buffers = [];
    private int[] _pairUsers = [], _pairItems = [];
    private IntTensor _users;

    internal ScoringWorkspace(ICompute backend)
    {
        Backend = backend;
        Graph = new Graph(backend, evaluationMode: true);
    }

    /// <summary>The backend of the model's weights, where the buffers live.</summary>
    public ICompute Backend { get; }

    /// <summary>A graph in evaluation mode for the pairwise scoring path; reset it before each use.</summary>
    public Graph Graph { get; }

    /// <summary>
    /// A [rows, columns] view of buffer number <paramref name="slot"/> (a model numbers its buffers itself), grown
    /// when too small. Contents are stale.
    /// </summary>
    public Tensor Buffer(int slot, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        while (_buffers.Count <= slot) _buffers.Add(null);
        Storage? buffer = _buffers[slot];
        if (buffer is null || buffer.Length < rows * columns) _buffers[slot] = buffer = Backend.Allocate(rows * columns);
        return new Tensor(buffer, new Shape(rows, columns));
    }

    /// <summary>
    /// <paramref name="users"/> on <see cref="Backend"/>, in a buffer reused by every call (valid until the next one):
    /// the one upload of a scoring chunk's user ids.
    /// </summary>
    public IntTensor Users(ReadOnlySpan<int> users)
    {
        if (_users.Length < users.Length) _users = IntTensor.Zeros(users.Length, Backend);
        IntTensor view = _users.Slice(0, users.Length);
        Backend.CopyFromHost(view, users);
        return view;
    }

    /// <summary>Two integer lists of at least <paramref name="length"/> entries for (user, item) pairs; contents are stale.</summary>
    public (int[] Users, int[] Items) Pairs(int length)
    {
        if (_pairUsers.Length < length) (_pairUsers, _pairItems) = (new int[length], new int[length]);
        return (_pairUsers, _pairItems);
    }

    /// <summary>Releases the device memory of the buffers and the graph now (a CPU workspace's is left to the collector).</summary>
    public void Dispose()
    {
        foreach (Storage? buffer in _buffers) DeviceMemory.Release(buffer);
        DeviceMemory.Release(_users);
        Graph.Dispose();
    }
}
