using TinyKd.Tensors;

namespace TinyKd.Autograd.Optim;

/// <summary>
/// The base of the optimizers, after PyTorch's <c>torch.optim.Optimizer</c>: it owns the parameter list and its
/// per-parameter state (allocated once, at construction), and updates every parameter that has a gradient.
/// The state lives on the parameters' backend: disposing the optimizer (as TorchSharp's) releases its device memory at
/// once; the parameters stay, they belong to the module.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Variable[] _parameters;
    private readonly Tensor _normScratch; // one squared norm per parameter, on the parameters' backend
    private readonly float[] _norms;      // the same, on the host
    private readonly Tensor[] _masks;
    private readonly Tensor[][] _maskedState;
    private readonly int[] _dense;        // the indices this step updates with a dense gradient
    private readonly Tensor[] _gradients; // the gradients ClipGradNorm measures and scales, gathered for one call

    /// <summary>Takes the parameters to update.</summary>
    /// <exception cref="ArgumentException">The list is empty or holds a non-trainable variable.</exception>
    protected Optimizer(IEnumerable<Variable> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("The optimizer got no parameters.", nameof(parameters));
        foreach (Variable p in _parameters)
            if (!p.IsLeaf || !p.RequiresGrad)
                throw new ArgumentException($"{p} is not a trainable parameter (a leaf that requires a gradient).", nameof(parameters));
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"The learning rate must be finite and ≥ 0; got {learningRate}.");
        LearningRate = learningRate;
        _normScratch = Tensor.Zeros(new Shape(_parameters.Length), _parameters[0].Data.Backend);
        _norms = new float[_parameters.Length];
        _masks = new Tensor[_parameters.Length];
        _maskedState = new Tensor[_parameters.Length][];
        _dense = new int[_parameters.Length];
        _gradients = new Tensor[_parameters.Length];
    }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Variable> Parameters => _parameters;

    /// <summary>The step size of the next <see cref="Step"/> (schedules set it).</summary>
    public float LearningRate { get; set; }

    /// <summary>How many steps were taken.</summary>
    public long StepCount { get; protected set; }

    /// <summary>
    /// Sets every parameter gradient to zero (see <see cref="Variable.ZeroGrad"/>: the buffers are kept and written by
    /// the next backward pass, so nothing is allocated and no separate zeroing pass runs).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The optimizer was disposed.</exception>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        foreach (Variable p in _parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter that has a gradient, then counts the step.</summary>
    /// <exception cref="ObjectDisposedException">The optimizer was disposed.</exception>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        StepCount++;
        int dense = 0;
        for (int i = 0; i < _parameters.Length; i++)
        {
            Variable p = _parameters[i];
            if (!HasGradient(p)) continue;
            if (!_masks[i].IsEmpty) p.Data.Backend.Binary(BinaryOp.Multiply, p.Grad, p.Grad, _masks[i]);
            if (p.SparseGrad is null) _dense[dense++] = i;
            else Update(i, p);
        }
        UpdateDense(_dense.AsSpan(0, dense));
        for (int i = 0; i < _parameters.Length; i++)
            if (!_masks[i].IsEmpty && HasGradient(_parameters[i])) ApplyMask(i);
    }

    // Updates the parameters at indices, each with a dense gradient, a run of consecutive ones on one backend at a time.
    private void UpdateDense(ReadOnlySpan<int> indices)
    {
        while (!indices.IsEmpty)
        {
            ICompute backend = _parameters[indices[0]].Data.Backend;
            int count = 1;
            while (count < indices.Length && _parameters[indices[count]].Data.Backend == backend) count++;
            UpdateTogether(backend, indices[..count]);
            indices = indices[count..];
        }
    }

    /// <summary>
    /// Applies this step's update to the parameters at <paramref name="indices"/> (in order), all on
    /// <paramref name="backend"/>, each with a dense gradient. The default calls <see cref="Update"/> for each; an
    /// optimizer that can hand them to the backend together (multi-tensor Adam and SGD: one kernel launch on a device
    /// instead of one per parameter) overrides it.
    /// </summary>
    protected virtual void UpdateTogether(ICompute backend, ReadOnlySpan<int> indices)
    {
        foreach (int i in indices) Update(i, _parameters[i]);
    }

    /// <summary>
    /// Keeps the weights of <paramref name="parameter"/> where <paramref name="mask"/> is 0 at exactly zero from now
    /// on (pruning): the mask (1 = kept, 0 = pruned, same shape) multiplies the parameter and its optimizer state now,
    /// and its gradient before and the parameter and state after every <see cref="Step"/>, so a pruned weight's
    /// moments stay 0 too. The mask is held, not copied: change it in place to prune more. An empty tensor removes it.
    /// </summary>
    /// <exception cref="ArgumentException">The parameter is not one of this optimizer's, has a sparse gradient, or
    /// the mask's shape differs.</exception>
    public void SetMask(Variable parameter, Tensor mask)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(parameter);
        int index = Array.IndexOf(_parameters, parameter);
        if (index < 0) throw new ArgumentException($"{parameter} is not a parameter of this optimizer.", nameof(parameter));
        if (parameter.SparseGrad is not null)
            throw new ArgumentException($"{parameter} has a sparse gradient; masks apply to dense parameters only.", nameof(parameter));
        if (!mask.IsEmpty && mask.Shape != parameter.Shape)
            throw new ArgumentException($"The mask {mask.Shape} does not match {parameter} {parameter.Shape}.", nameof(mask));
        _masks[index] = mask;
        _maskedState[index] = mask.IsEmpty ? [] : [.. StateOf(index)];
        if (!mask.IsEmpty) ApplyMask(index);
    }

    // Parameter and state tensors ← themselves × mask (a pruned weight and its moments become 0).
    private void ApplyMask(int index)
    {
        Tensor mask = _masks[index], data = _parameters[index].Data;
        data.Backend.Binary(BinaryOp.Multiply, data, data, mask);
        foreach (Tensor state in _maskedState[index]) state.Backend.Binary(BinaryOp.Multiply, state, state, mask);
    }

    /// <summary>The state tensors of parameter <paramref name="index"/> that have its shape (moments, momentum), which a mask zeroes too.</summary>
    protected virtual IEnumerable<Tensor> StateOf(int index) => [];

    /// <summary>
    /// Scales all gradients together so that their global L2 norm is at most <paramref name="maxNorm"/>, as
    /// PyTorch's <c>clip_grad_norm_</c> (factor maxNorm/(norm + 1e-6) when it is below 1). Returns the norm before
    /// clipping. Each parameter's squared norm lands in its own slot of one buffer on the parameters' backend (one
    /// multi-tensor call: one launch on a device), the buffer reaches the host in one copy, and the gradients are scaled
    /// by one more multi-tensor call: a read-back and two calls per clip, however many parameters.
    /// </summary>
    /// <exception cref="ArithmeticException">The norm is NaN or infinite: the gradients are not usable.</exception>
    public double ClipGradNorm(float maxNorm)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (!(maxNorm > 0f)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"maxNorm must be > 0; got {maxNorm}.");
        int count = 0;
        foreach (Variable p in _parameters)
            if (HasGradient(p)) _gradients[count++] = GradientValues(p);
        ReadOnlySpan<Tensor> gradients = _gradients.AsSpan(0, count);
        ICompute backend = _normScratch.Backend;
        try
        {
            if (count > 0) backend.SumsOfSquares(gradients, new Tensor(_normScratch.Storage, new Shape(count)), 1f);
            backend.CopyToHost(_normScratch, _norms);
            double sum = 0;
            for (int i = 0; i < count; i++) sum += _norms[i];
            double norm = Math.Sqrt(sum);
            if (!double.IsFinite(norm)) throw new ArithmeticException($"The gradient norm is {norm}; a NaN or infinity reached the gradients.");
            double coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1) backend.ScaleAll(gradients, (float)coefficient);
            return norm;
        }
        finally
        {
            _gradients.AsSpan(0, count).Clear();
        }
    }

    /// <summary>True when the last backward pass left a gradient in <paramref name="p"/> (dense, or some sparse rows).</summary>
    protected static bool HasGradient(Variable p) => p.SparseGrad is { } sparse ? sparse.Count > 0 : !p.Grad.IsEmpty;

    // The gradient numbers of a parameter: the dense gradient, or the touched rows of a sparse one.
    private static Tensor GradientValues(Variable p) => p.SparseGrad is { } sparse ? sparse.Values : p.Grad;

    /// <summary>The per-parameter state tensors (moments, momentum buffers), in a fixed order, for checkpoints.</summary>
    public abstract IReadOnlyList<Tensor> StateTensors();

    /// <summary>
    /// Restores the state a checkpoint saved: values for every tensor of <see cref="StateTensors"/> (same order and
    /// shapes) and the step count, so that the next <see cref="Step"/> is the one an uninterrupted run would take.
    /// </summary>
    /// <exception cref="ArgumentException">The count or a shape of <paramref name="state"/> differs.</exception>
    public void LoadState(IReadOnlyList<Tensor> state, long stepCount)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        IReadOnlyList<Tensor> own = StateTensors();
        if (state.Count != own.Count)
            throw new ArgumentException($"The optimizer has {own.Count} state tensors; got {state.Count}.", nameof(state));
        for (int i = 0; i < own.Count; i++)
        {
            if (state[i].Shape != own[i].Shape)
                throw new ArgumentException($"Optimizer state tensor {i} is {own[i].Shape}; got {state[i].Shape}.", nameof(state));
            own[i].Backend.CopyFromHost(own[i], state[i].ToArray());
        }
        StepCount = stepCount;
    }

    /// <summary>Applies one update to parameter <paramref name="index"/>, whose gradient is present.</summary>
    protected abstract void Update(int index, Variable parameter);

    /// <summary>True once <see cref="Dispose()"/> ran.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Releases the device memory of the optimizer's state (moments, momentum buffers, the norm scratch) now.
    /// Idempotent; afterwards <see cref="Step"/>, <see cref="ZeroGrad"/>, <see cref="ClipGradNorm"/>,
    /// <see cref="SetMask"/> and <see cref="LoadState"/> throw <see cref="ObjectDisposedException"/> naming the
    /// optimizer. The parameters and masks are not the optimizer's and stay.
    /// </summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the state tensors of <see cref="StateTensors"/> and the optimizer's own scratch.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (IsDisposed) return;
        if (disposing)
        {
            foreach (Tensor state in StateTensors()) DeviceMemory.Release(state);
            DeviceMemory.Release(_normScratch);
        }
        IsDisposed = true;
    }
}
