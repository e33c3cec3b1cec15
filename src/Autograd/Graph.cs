using System.Runtime.InteropServices;
using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>
/// The tape and the memory of one forward/backward pass. Ops on variables of this graph record themselves here
/// in execution order; <see cref="Backward(Variable)"/> walks the tape in reverse and adds into gradients.
/// </summary>
/// <remarks>
/// Zero allocation in the steady state: every result variable, its gradient and every saved tensor comes from a
/// pool that is handed out in request order and rewound by <see cref="Reset"/>. A training step repeats the same
/// ops in the same order, so step k+1 gets step k's buffers back (a smaller last batch gets views of them). The
/// first step allocates; later steps allocate nothing. The price: variables from a previous step must not be used
/// after <see cref="Reset"/>. On a device the pools are device memory: <see cref="Dispose"/> releases them at once.
/// </remarks>
public sealed partial class Graph : IDisposable
{
    private readonly List<Variable> _variables = [];
    private readonly List<Storage> _scratch = [];
    private readonly List<TapeEntry> _tape = [];
    private readonly List<Variable> _inputLists = [];
    private readonly List<int[]> _indexBuffers = [];
    private int _nextVariable;
    private int _nextIndexBuffer;
    private int _nextScratch;
    private int _epoch;
    private Tensor _one;

    /// <summary>Creates a graph whose buffers live on <paramref name="backend"/> (the CPU when null).</summary>
    /// <param name="backend">The backend that runs every op of this graph.</param>
    /// <param name="evaluationMode">Run every module in evaluation mode (see <see cref="EvaluationMode"/>).</param>
    public Graph(ICompute? backend = null, bool evaluationMode = false)
    {
        Backend = backend ?? CpuCompute.Default;
        EvaluationMode = evaluationMode;
    }

    /// <summary>
    /// True when every module computes on this graph as in evaluation mode (dropout is the identity), whatever its own
    /// <see cref="Nn.Module.Train"/>/<see cref="Nn.Module.Eval"/> setting. This is how evaluation and serving choose
    /// the mode per call: a model is never switched, so many threads, each with its own graph, can run one model at
    /// once while it stays in the mode its trainer left it in.
    /// </summary>
    public bool EvaluationMode { get; }

    /// <summary>The backend that runs every op of this graph.</summary>
    public ICompute Backend { get; }

    /// <summary>Number of ops recorded since the last <see cref="Reset"/>.</summary>
    public int TapeLength => _tape.Count;

    /// <summary>
    /// Wraps <paramref name="data"/> (not copied) as an input of this graph. With <paramref name="requiresGrad"/>,
    /// backward computes its gradient too (for gradient checks or input attributions).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor lives on another backend.</exception>
    public Variable Input(Tensor data, bool requiresGrad = false)
    {
        ComputeChecks.Owned(Backend, data, nameof(data));
        return Borrow(data, requiresGrad && GradMode.IsEnabled);
    }

    /// <summary>
    /// Starts a new step: forgets the tape and rewinds the buffer pools, so the next ops reuse this step's memory.
    /// </summary>
    public void Reset()
    {
        _tape.Clear();
        _inputLists.Clear();
        _nextVariable = 0;
        _nextScratch = 0;
        _nextIndexBuffer = 0;
        ResetUploads();
    }

    /// <summary>
    /// A pooled buffer of <paramref name="length"/> integers for this step's indices (the rows an embedding looks up,
    /// the bag offsets of a multi-hot feature): the ops keep reading them until backward, so they must outlive the
    /// forward call, and like every buffer of the graph they are handed back by <see cref="Reset"/>. Contents are stale.
    /// </summary>
    public Memory<int> Indices(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_nextIndexBuffer == _indexBuffers.Count) _indexBuffers.Add(new int[length]);
        else if (_indexBuffers[_nextIndexBuffer].Length < length) _indexBuffers[_nextIndexBuffer] = new int[length];
        return _indexBuffers[_nextIndexBuffer++].AsMemory(0, length);
    }

    /// <summary>Back-propagates from a one-element <paramref name="output"/> (seed gradient 1).</summary>
    /// <exception cref="ArgumentException">The output has more than one element or belongs to another graph.</exception>
    public void Backward(Variable output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Data.Length != 1)
            throw new ArgumentException($"Backward() without a gradient needs a one-element output; got shape {output.Shape}. Reduce it (Sum, Mean) first.", nameof(output));
        Backward(output, default);
    }

    /// <summary>
    /// Back-propagates from <paramref name="output"/> with the given output gradient (same shape), i.e. computes
    /// the vector–Jacobian product, as PyTorch's <c>backward(gradient)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The gradient's shape differs from the output's.</exception>
    /// <exception cref="InvalidOperationException">The output does not require a gradient.</exception>
    public void Backward(Variable output, Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!ReferenceEquals(output.Graph, this))
            throw new ArgumentException($"{output} does not belong to this graph.", nameof(output));
        if (!output.RequiresGrad)
            throw new InvalidOperationException(
                $"{output} does not require a gradient: no parameter or input on its path requires one, or it was computed under GradMode.NoGrad().");
        _epoch++;
        if (outputGradient.IsEmpty && !output.IsLeaf) output.SeedGradient(new Tensor(One().Storage, output.Shape), _epoch);
        else
        {
            // The seed is written whole (filled or copied), so a fresh buffer needs no zero-fill first.
            Tensor seed = output.GradForOverwrite(_epoch, out _);
            if (outputGradient.IsEmpty) Backend.Fill(seed, 1f);
            else
            {
                ComputeChecks.SameShape(output.Data, nameof(output), outputGradient, nameof(outputGradient));
                Backend.Copy(seed, outputGradient);
            }
        }
        ReadOnlySpan<TapeEntry> tape = CollectionsMarshal.AsSpan(_tape);
        for (int i = tape.Length - 1; i >= 0; i--)
        {
            ref readonly TapeEntry entry = ref tape[i];
            if (entry.Output.GradEpoch == _epoch) entry.Backward(in entry, this);
        }
    }

    // The one-element 1 that seeds a backward pass from a graph result, filled once and never written again.
    private Tensor One()
    {
        if (_one.IsEmpty)
        {
            _one = new Tensor(Backend.Allocate(1), new Shape(1));
            Backend.Fill(_one, 1f);
        }
        return _one;
    }

    /// <summary>The graph shared by the given op inputs, checking that they agree on graph and backend.</summary>
    internal static Graph Of(string op, Variable? a, Variable? b = null, Variable? c = null)
    {
        Graph? graph = a?.Graph ?? b?.Graph ?? c?.Graph
            ?? throw new InvalidOperationException(
                $"{op}: none of its inputs belongs to a Graph. Wrap the input batch with graph.Input(tensor) so the op knows where to record.");
        graph.CheckInput(op, a);
        graph.CheckInput(op, b);
        graph.CheckInput(op, c);
        return graph;
    }

    /// <summary>True when an op with these inputs must be recorded (grad mode on and some input requires a gradient).</summary>
    internal static bool Records(Variable? a, Variable? b = null, Variable? c = null) =>
        GradMode.IsEnabled && ((a?.RequiresGrad ?? false) || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    internal void CheckInput(string op, Variable? v)
    {
        if (v is null) return;
        if (v.Graph is not null && !ReferenceEquals(v.Graph, this))
            throw new InvalidOperationException($"{op}: its inputs belong to different graphs.");
        if (!ReferenceEquals(v.Data.Backend, Backend))
            throw new ArgumentException($"{op}: {v} lives on backend '{v.Data.Backend.Name}' but the graph runs on '{Backend.Name}'.");
    }

    /// <summary>A result variable with its own (pooled) buffer of the given shape; its contents are stale.</summary>
    internal Variable Result(Shape shape, bool requiresGrad)
    {
        Variable v = NextVariable();
        v.ResetOwned(Backend, shape, requiresGrad);
        return v;
    }

    /// <summary>A pooled variable over memory owned elsewhere (an input, or a view of another variable).</summary>
    internal Variable Borrow(Tensor data, bool requiresGrad)
    {
        Variable v = NextVariable();
        v.ResetBorrowed(data, requiresGrad);
        return v;
    }

    /// <summary>A pooled scratch tensor (for values saved between forward and backward); contents are stale.</summary>
    internal Tensor Scratch(Shape shape)
    {
        if (_nextScratch == _scratch.Count) _scratch.Add(Backend.Allocate(shape.Length));
        else if (_scratch[_nextScratch].Length < shape.Length) _scratch[_nextScratch] = Variable.Regrow(_scratch[_nextScratch], Backend, shape.Length);
        return new Tensor(_scratch[_nextScratch++], shape);
    }

    /// <summary>Appends an op to the tape.</summary>
    internal void Record(in TapeEntry entry) => _tape.Add(entry);

    /// <summary>The gradient buffer of <paramref name="v"/> for the current backward pass (zeroed on first use).</summary>
    internal Tensor GradOf(Variable v) => v.GradFor(_epoch);

    /// <summary>
    /// The gradient buffer of <paramref name="v"/> for an op that can write all of it: when
    /// <paramref name="overwrite"/> is true nothing of this pass is in it yet and the op must assign, not add.
    /// </summary>
    internal Tensor GradForWrite(Variable v, out bool overwrite) => v.GradForOverwrite(_epoch, out overwrite);

    /// <summary>Stores a list of op inputs for this step; returns where it starts (for ops with many inputs).</summary>
    internal int StoreInputs(ReadOnlySpan<Variable> inputs)
    {
        int start = _inputLists.Count;
        foreach (Variable v in inputs) _inputLists.Add(v);
        return start;
    }

    /// <summary>A list stored by <see cref="StoreInputs"/>.</summary>
    internal ReadOnlySpan<Variable> StoredInputs(int start, int count) => CollectionsMarshal.AsSpan(_inputLists).Slice(start, count);

    private Variable NextVariable()
    {
        if (_nextVariable == _variables.Count) _variables.Add(new Variable(this));
        return _variables[_nextVariable++];
    }

    /// <summary>
    /// Releases the device memory of the graph's pools (results, gradients, scratch, uploaded integers) now; a CPU
    /// graph's pools are left to the collector. Idempotent. The graph must not be used afterwards: its variables and
    /// uploads point at released memory, which a device kernel refuses.
    /// </summary>
    public void Dispose()
    {
        foreach (Variable v in _variables) v.ReleaseBuffers();
        foreach (Storage s in _scratch) DeviceMemory.Release(s);
        DeviceMemory.Release(_one);
        _one = default;
        ReleaseUploadBuffers();
        Reset();
    }
}
