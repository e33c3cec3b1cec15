using TinyKd.Tensors;

namespace TinyKd.Autograd.Nn;

/// <summary>
/// The base of every layer and model, after PyTorch's <c>nn.Module</c>: named parameters (recursively through
/// children, named like PyTorch: <c>0.weight</c>), training/evaluation mode and a state dictionary. What a module
/// computes is up to its kind: a <see cref="Layer"/> maps one variable to one, an <see cref="Embedding"/> looks up
/// rows by index, a recommender scores (user, item) pairs. Disposing a module (TorchSharp's <c>Dispose</c>) releases
/// the device memory of its and its descendants' parameters and gradients at once instead of leaving it to
/// finalizers; on the CPU there is nothing to release.
/// </summary>
public abstract class Module : IDisposable
{
    private Module[]? _tree; // this module and its descendants, gathered on the first mode switch

    /// <summary>
    /// True in training mode (the default); dropout is active only then, and only on a graph that is not in
    /// <see cref="Graph.EvaluationMode"/>.
    /// </summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>
    /// Whether this module computes in training mode on <paramref name="input"/>'s graph: its own mode, unless the
    /// graph runs in evaluation mode for this call.
    /// </summary>
    protected bool IsTrainingOn(Variable input) => IsTraining && input.Graph is not { EvaluationMode: true };

    /// <summary>The module's own parameters (not its children's), with their local names.</summary>
    protected virtual IEnumerable<(string Name, Variable Parameter)> OwnParameters() => [];

    /// <summary>The direct sub-modules with their local names; fixed once the module is built.</summary>
    protected virtual IEnumerable<(string Name, Module Child)> Children() => [];

    /// <summary>Every parameter of this module and its descendants with its dotted path.</summary>
    /// <exception cref="ObjectDisposedException">The module was disposed.</exception>
    public IEnumerable<(string Name, Variable Parameter)> NamedParameters()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        foreach (var (name, p) in OwnParameters()) yield return (name, p);
        foreach (var (childName, child) in Children())
            foreach (var (name, p) in child.NamedParameters())
                yield return (childName + "." + name, p);
    }

    /// <summary>This module and all its descendants, depth first (PyTorch's <c>modules()</c>).</summary>
    public IEnumerable<Module> Modules()
    {
        yield return this;
        foreach (var (_, child) in Children())
            foreach (Module m in child.Modules()) yield return m;
    }

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    public IReadOnlyList<Variable> Parameters() => NamedParameters().Select(np => np.Parameter).ToList();

    /// <summary>The total number of trainable numbers.</summary>
    public long ParameterCount() => NamedParameters().Sum(np => (long)np.Parameter.Data.Length);

    /// <summary>
    /// Sets training mode (or evaluation mode when false) on this module and its descendants. The module tree is
    /// gathered on the first call and kept (a module's children are fixed once it is built), so switching modes
    /// allocates nothing afterwards. The mode is shared by every caller of the model: to evaluate or serve without
    /// touching it, run the forward on a graph in <see cref="Graph.EvaluationMode"/> instead.
    /// </summary>
    public Module Train(bool training = true)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        _tree ??= [.. Modules()];
        foreach (Module m in _tree) m.IsTraining = training;
        return this;
    }

    /// <summary>Sets evaluation mode: dropout becomes the identity.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// The backend the parameters live on (<see cref="To"/> moves them); the CPU for a module without parameters.
    /// Graphs that run the module, and the data they read, belong on it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The parameters are split across backends (both are named).</exception>
    public ICompute Backend
    {
        get
        {
            ICompute? backend = null;
            foreach (var (name, p) in NamedParameters())
            {
                backend ??= p.Data.Backend;
                if (!ReferenceEquals(backend, p.Data.Backend))
                    throw new InvalidOperationException($"Parameter '{name}' lives on '{p.Data.Backend.Name}' but the module's others on '{backend.Name}'; move the whole module with To().");
            }
            return backend ?? CpuCompute.Default;
        }
    }

    /// <summary>
    /// Moves every parameter to <paramref name="backend"/> (PyTorch's <c>model.to(device)</c>): one copy per parameter,
    /// after which forward and backward passes on a <see cref="Graph"/> of that backend touch no other memory. Move the
    /// model before creating its optimizer, whose state is allocated beside the parameters; gradients start over.
    /// Device memory the parameters and their gradients leave is released at once (tensors taken from
    /// <see cref="StateDict"/> before the move must not be used after it); CPU memory is left to the collector.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer of the model runs on the CPU only (int8 and sparse layers); it is named.</exception>
    public Module To(ICompute backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        foreach (Module m in Modules())
            if (!m.RunsOn(backend))
                throw new NotSupportedException($"{m.GetType().Name} runs on the CPU backend only; it cannot move to '{backend.Name}'.");
        foreach (var (_, p) in NamedParameters()) p.MoveTo(backend);
        return this;
    }

    /// <summary>
    /// Whether this module (not its children) can compute on <paramref name="backend"/>; true unless it keeps state
    /// outside its parameters that only one backend can read (int8 and sparse layers keep host arrays).
    /// </summary>
    protected virtual bool RunsOn(ICompute backend) => true;

    /// <summary>The parameters by dotted name; the tensors are the live parameter values (not copies).</summary>
    public Dictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(np => np.Name, np => np.Parameter.Data);

    /// <summary>
    /// Copies values into the parameters of the same name. With <paramref name="strict"/>, missing and unexpected
    /// names are errors; shapes must always match.
    /// </summary>
    /// <exception cref="ArgumentException">A name is missing or unexpected (strict), or a shape differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = NamedParameters().ToDictionary(np => np.Name, np => np.Parameter);
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"State dictionary does not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].", nameof(state));
        }
        foreach (var (name, value) in state)
        {
            if (!own.TryGetValue(name, out Variable? p)) continue;
            if (p.Shape != value.Shape)
                throw new ArgumentException($"State '{name}' has shape {value.Shape}; the model's parameter is {p.Shape}.", nameof(state));
            p.Data.Backend.CopyFromHost(p.Data, value.ToArray());
        }
    }

    /// <summary>True once <see cref="Dispose()"/> ran (on this module or on a module that holds it).</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Releases the device memory of every parameter and gradient of this module and its descendants now. Idempotent.
    /// Afterwards the parameter list, <see cref="To"/>, <see cref="StateDict"/> and mode switches throw
    /// <see cref="ObjectDisposedException"/> naming the module, and a device kernel that reads a released parameter
    /// throws it too. Tensors taken from the module before (its <see cref="StateDict"/>) share that fate.
    /// </summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Releases this module's own parameters and disposes its children; a module holding other device memory (scoring
    /// scratch) overrides it, releases that and calls the base.
    /// </summary>
    protected virtual void Dispose(bool disposing)
    {
        if (IsDisposed) return;
        if (disposing)
        {
            foreach (var (_, p) in OwnParameters()) p.Release();
            foreach (var (_, child) in Children()) child.Dispose();
        }
        IsDisposed = true;
    }
}
