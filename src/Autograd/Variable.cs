using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>
/// A tensor that takes part in automatic differentiation: its value (<see cref="Data"/>), the gradient of the
/// last backward pass with respect to it (<see cref="Grad"/>), and whether gradients flow into it.
/// </summary>
/// <remarks>
/// Two kinds exist. <b>Leaves</b> (parameters and constants made with <see cref="Parameter"/> or
/// <see cref="Constant"/>) own their memory for as long as they live; their gradients accumulate across backward
/// passes until zeroed. <b>Graph variables</b> (inputs made by <see cref="Graph.Input"/> and every op result) are
/// lent by a <see cref="Graph"/>: their buffers are reused after <see cref="Graph.Reset"/>, so read what you need
/// before the next step.
/// </remarks>
public sealed partial class Variable
{
    private Storage? _dataBuffer;
    private Storage? _gradBuffer;
    private Tensor _grad;
    private bool _gradPendingZero;
    internal int GradEpoch = -1;

    internal Variable(Graph? graph) => Graph = graph;

    /// <summary>The value.</summary>
    public Tensor Data { get; internal set; }

    /// <summary>
    /// The gradient of the most recent backward pass (accumulated, for leaves); empty until one reached this variable.
    /// After <see cref="ZeroGrad"/> it reads as zeros.
    /// </summary>
    public Tensor Grad
    {
        get
        {
            if (_gradPendingZero)
            {
                _gradPendingZero = false;
                _grad.Backend.Fill(_grad, 0f);
            }
            return _grad;
        }
        internal set
        {
            _grad = value;
            _gradPendingZero = false;
        }
    }

    /// <summary>True when backward passes compute a gradient for this variable.</summary>
    public bool RequiresGrad { get; internal set; }

    /// <summary>The graph that lends this variable its buffers; null for leaves.</summary>
    public Graph? Graph { get; }

    /// <summary>True for parameters and constants, which own their memory.</summary>
    public bool IsLeaf => Graph is null;

    /// <summary>An optional name used in messages and state dictionaries.</summary>
    public string? Name { get; set; }

    /// <summary>The shape of <see cref="Data"/>.</summary>
    public Shape Shape => Data.Shape;

    /// <summary>A trainable leaf over <paramref name="data"/> (not copied); its gradient accumulates across passes.</summary>
    public static Variable Parameter(Tensor data, string? name = null)
    {
        if (data.IsEmpty) throw new ArgumentException("A parameter needs a tensor.", nameof(data));
        return new Variable(null) { Data = data, RequiresGrad = true, Name = name };
    }

    /// <summary>
    /// A trainable [rows, width] table whose gradient is row-sparse (<see cref="SparseGrad"/>; <see cref="Grad"/> stays
    /// empty), as PyTorch's <c>nn.Embedding(sparse=True)</c>: backward passes touch only the rows they looked up, and
    /// optimizers that support it (<see cref="Optim.Adam"/>) update only those rows.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not a matrix.</exception>
    public static Variable SparseParameter(Tensor data, string? name = null)
    {
        if (data.IsEmpty || data.Rank != 2)
            throw new ArgumentException($"A sparse parameter is a [rows, width] table; got {(data.IsEmpty ? "no tensor" : data.Shape.ToString())}.", nameof(data));
        return new Variable(null)
        {
            Data = data, RequiresGrad = true, Name = name, SparseGrad = new RowSparseGradient(data.Shape[0], data.Shape[1], data.Backend),
        };
    }

    /// <summary>The row-sparse gradient of a <see cref="SparseParameter"/>; null for every other variable.</summary>
    public RowSparseGradient? SparseGrad { get; private set; }

    /// <summary>A leaf that never receives a gradient.</summary>
    public static Variable Constant(Tensor data, string? name = null)
    {
        if (data.IsEmpty) throw new ArgumentException("A constant needs a tensor.", nameof(data));
        return new Variable(null) { Data = data, Name = name };
    }

    /// <summary>The single value of a one-element variable (a loss).</summary>
    public float Item() => Data.Item();

    /// <summary>
    /// Back-propagates from this scalar: every variable on the path that requires a gradient gets
    /// ∂this/∂variable added to its <see cref="Grad"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">This variable is a leaf or does not require a gradient.</exception>
    /// <exception cref="ArgumentException">This variable has more than one element.</exception>
    public void Backward()
    {
        if (Graph is null) throw new InvalidOperationException("Backward() needs a variable produced by ops on a Graph; this is a leaf.");
        Graph.Backward(this);
    }

    /// <summary>
    /// Sets the gradient to zero without touching its memory yet: the next backward pass overwrites it where an op
    /// can (a GEMM with β = 0 instead of a zero-fill followed by β = 1), and any other read sees zeros.
    /// </summary>
    public void ZeroGrad()
    {
        SparseGrad?.Clear();
        if (!_grad.IsEmpty) _gradPendingZero = true;
    }

    /// <summary>A variable with the same value (shared, no copy) that stops gradients.</summary>
    public Variable Detach() => Graph is null ? Constant(Data, Name) : Graph.Borrow(Data, requiresGrad: false);

    /// <summary>Name (if any), shape and whether a gradient is required.</summary>
    public override string ToString() => $"Variable{(Name is null ? "" : " '" + Name + "'")} {Shape}{(RequiresGrad ? " requires_grad" : "")}";

    // Moves a leaf's value to memory of backend (one copy through the host); its gradient starts over there. Device
    // memory the value and gradient leave is released now, not by a finalizer (see ReleaseOwned).
    internal void MoveTo(ICompute backend)
    {
        if (!IsLeaf) throw new InvalidOperationException($"{this} belongs to a graph; only parameters and constants move between backends.");
        if (ReferenceEquals(Data.Backend, backend)) return;
        Tensor value = Data, gradient = _grad;
        Data = Tensor.Upload(Data.ToArray(), Shape, backend);
        _grad = default;
        _gradPendingZero = false;
        if (SparseGrad is { } sparse)
        {
            SparseGrad = new RowSparseGradient(sparse.TableRows, sparse.Width, backend);
            sparse.Dispose();
        }
        ReleaseOwned(value);
        ReleaseOwned(gradient);
    }

    // Releases the device memory of this leaf's value and gradients (a disposed module's parameter); CPU memory is
    // left to the collector, so only a device parameter becomes unusable.
    internal void Release()
    {
        ReleaseOwned(Data);
        ReleaseOwned(_grad);
        SparseGrad?.Dispose();
    }

    // Disposes a device tensor's storage when the tensor spans all of it (memory this leaf owned, not a view of a
    // shared buffer); managed CPU memory is left to the collector.
    private static void ReleaseOwned(Tensor t)
    {
        if (!t.IsEmpty && t.Offset == 0 && t.Length == t.Storage.Length) DeviceMemory.Release(t);
    }

    // Releases the device buffers a graph's pooled variable owns (its value and gradient buffers, not borrowed memory).
    internal void ReleaseBuffers()
    {
        DeviceMemory.Release(_dataBuffer);
        DeviceMemory.Release(_gradBuffer);
    }

    // A pooled buffer replaced by a larger one: the old one served an earlier pass only (results from before the graph's
    // Reset must not be used), so its device memory is released now rather than held until the graph is disposed.
    internal static Storage Regrow(Storage? old, ICompute backend, int length)
    {
        DeviceMemory.Release(old);
        return backend.Allocate(length);
    }

    // Points Data at an owned buffer of at least shape.Length floats, reusing the previous one when it fits.
    internal void ResetOwned(ICompute backend, Shape shape, bool requiresGrad)
    {
        if (_dataBuffer is null || _dataBuffer.Length < shape.Length || !ReferenceEquals(_dataBuffer.Backend, backend))
            _dataBuffer = Regrow(_dataBuffer, backend, shape.Length);
        Data = new Tensor(_dataBuffer, shape);
        Grad = default;
        RequiresGrad = requiresGrad;
        GradEpoch = -1;
        Name = null;
    }

    // Points Data at memory owned by someone else (an input batch, the tensor this one is a view of).
    internal void ResetBorrowed(Tensor data, bool requiresGrad)
    {
        Data = data;
        Grad = default;
        RequiresGrad = requiresGrad;
        GradEpoch = -1;
        Name = null;
    }

    // Points a graph variable's gradient for pass `epoch` at `constant`, a tensor no op writes: the seed of a backward
    // pass (1), kept by the graph, so a step pays no fill for it. Only a pass's root gets it, and no op of that pass
    // writes into its root's gradient (gradients flow from the root to what was recorded before it).
    internal void SeedGradient(Tensor constant, int epoch)
    {
        Grad = constant;
        GradEpoch = epoch;
    }

    // The gradient buffer for the current backward pass: zeroed on first use in that pass, reused afterwards.
    internal Tensor GradFor(int epoch)
    {
        Tensor grad = GradForOverwrite(epoch, out bool overwrite);
        if (overwrite) grad.Backend.Fill(grad, 0f);
        return grad;
    }

    // Like GradFor, but when the gradient holds nothing of this pass yet (a fresh graph buffer, or a leaf after
    // ZeroGrad) it skips the zero-fill and says so: the caller must then write every element instead of adding.
    internal Tensor GradForOverwrite(int epoch, out bool overwrite)
    {
        if (IsLeaf)
        {
            overwrite = _gradPendingZero || _grad.IsEmpty;
            if (_grad.IsEmpty) _grad = Tensor.Zeros(Shape, Data.Backend);
            _gradPendingZero = false;
            return _grad;
        }
        overwrite = GradEpoch != epoch;
        if (overwrite)
        {
            ICompute backend = Data.Backend;
            if (_gradBuffer is null || _gradBuffer.Length < Shape.Length || !ReferenceEquals(_gradBuffer.Backend, backend))
                _gradBuffer = Regrow(_gradBuffer, backend, Shape.Length);
            Grad = new Tensor(_gradBuffer, Shape);
            GradEpoch = epoch;
        }
        return Grad;
    }
}
