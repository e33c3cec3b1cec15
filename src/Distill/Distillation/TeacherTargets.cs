using TinyKd.Autograd;
using TinyKd.Distill.Data;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// The teachers' side of every distillation batch. Teachers are frozen, so without augmentation a sample's teacher
/// logits never change: they are computed once per transfer-set row (<see cref="Prepare"/>) and gathered by sample
/// index afterwards, which makes a distillation epoch cost about as much as a plain student epoch. On an augmented
/// batch the teacher networks run on the augmented images instead. Several teachers are combined into one target:
/// the weighted mean of their softened distributions p̄ = Σ wᵢ·softmax(tᵢ/T), handed to the loss as the logits
/// T·log p̄ (whose softmax at T is exactly p̄), and, for logit matching, the weighted mean of their logits.
/// </summary>
/// <remarks>B = batch rows, C = classes, K = teachers.</remarks>
public sealed class TeacherTargets : IDisposable
{
    private readonly Teacher[] _teachers;
    private readonly float[] _weights;
    private readonly float[][] _cache;
    private readonly (Graph Graph, FeatureUpload Upload)?[] _forwards; // per network teacher, on its backend, evaluation mode
    private float[] _batchLogits = [];
    private float[] _mixed = []; // the soft targets or mean logits of several teachers, mixed on the host before the upload
    private Tensor _soft, _mean;
    private int _classes;

    /// <summary>Combines <paramref name="teachers"/> (at least one) by their normalised weights.</summary>
    public TeacherTargets(IReadOnlyList<Teacher> teachers)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        if (teachers.Count == 0) throw new ArgumentException("Distillation needs at least one teacher.", nameof(teachers));
        _teachers = [.. teachers];
        float total = _teachers.Sum(t => t.Weight);
        _weights = _teachers.Select(t => t.Weight / total).ToArray();
        _cache = new float[_teachers.Length][];
        _forwards = new (Graph, FeatureUpload)?[_teachers.Length];
    }

    /// <summary>The teachers.</summary>
    public IReadOnlyList<Teacher> Teachers => _teachers;

    /// <summary>
    /// Checks every teacher against the transfer set (classes; rows for logits; input width for networks) and caches
    /// the network teachers' logits for every row.
    /// </summary>
    /// <exception cref="ArgumentException">A teacher does not fit the data (the message names both).</exception>
    public void Prepare(Dataset transfer, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        _classes = transfer.Classes;
        for (int i = 0; i < _teachers.Length; i++)
        {
            Teacher t = _teachers[i];
            if (t.Classes != transfer.Classes)
                throw new ArgumentException($"Teacher {t} scores {t.Classes} classes but '{transfer.Name}' has {transfer.Classes}.", nameof(transfer));
            if (t.Model is { } model)
            {
                if (model.Spec.InputSize != transfer.FeatureCount)
                    throw new ArgumentException($"Teacher {t} takes {model.Spec.InputSize} inputs but '{transfer.Name}' has {transfer.FeatureCount} features.", nameof(transfer));
                _cache[i] = Evaluation.PredictLogits(model, transfer.Features, _classes);
            }
            else
            {
                if (t.Rows != transfer.Count)
                    throw new ArgumentException($"Teacher {t} has {t.Rows} rows of logits but '{transfer.Name}' has {transfer.Count} samples.", nameof(transfer));
                _cache[i] = t.Logits!;
            }
        }
        int rows = Math.Max(1, Math.Min(batchSize, transfer.Count));
        _batchLogits = new float[_teachers.Length * rows * _classes];
        _mixed = new float[rows * _classes];
        (_soft, _mean) = (default, default); // allocated by the first batch, on its backend
    }

    /// <summary>
    /// The soft-target logits [B, C] for <paramref name="batch"/> at temperature <paramref name="temperature"/> and,
    /// when <paramref name="needMean"/>, the mean teacher logits [B, C], on the backend of the batch's features (the
    /// student's): mixed on the host from the cached logits and uploaded once each. Views of buffers the next call
    /// overwrites.
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is augmented and a teacher is only precomputed logits.</exception>
    public (Tensor Soft, Tensor Mean) For(in Batch batch, bool augmented, float temperature, bool needMean)
    {
        int b = batch.Count, c = _classes, k = _teachers.Length;
        ICompute backend = batch.Features.Backend;
        if (_soft.IsEmpty || !ReferenceEquals(_soft.Backend, backend))
        {
            var shape = new Shape(_mixed.Length / c, c);
            (_soft, _mean) = (Tensor.Zeros(shape, backend), Tensor.Zeros(shape, backend));
        }
        ReadOnlySpan<int> rows = batch.Indices.Span;
        for (int i = 0; i < k; i++)
        {
            Span<float> destination = _batchLogits.AsSpan(i * b * c, b * c);
            if (augmented) TeacherForward(i, batch.Features, destination);
            else
                for (int r = 0; r < b; r++) _cache[i].AsSpan(rows[r] * c, c).CopyTo(destination.Slice(r * c, c));
        }
        Tensor soft = b == _soft.Shape[0] ? _soft : _soft.Slice(0, b);
        Tensor mean = b == _mean.Shape[0] ? _mean : _mean.Slice(0, b);
        if (k == 1)
        {
            backend.CopyFromHost(soft, _batchLogits.AsSpan(0, b * c));
            if (needMean) backend.CopyFromHost(mean, _batchLogits.AsSpan(0, b * c));
            return (soft, mean);
        }
        Combine(_mixed.AsSpan(0, b * c), b, temperature);
        backend.CopyFromHost(soft, _mixed.AsSpan(0, b * c));
        if (needMean)
        {
            Span<float> m = _mixed.AsSpan(0, b * c);
            m.Clear();
            for (int i = 0; i < k; i++)
            {
                ReadOnlySpan<float> l = _batchLogits.AsSpan(i * b * c, b * c);
                for (int j = 0; j < m.Length; j++) m[j] += _weights[i] * l[j];
            }
            backend.CopyFromHost(mean, m);
        }
        return (soft, mean);
    }

    // soft[r, :] = T·log Σᵢ wᵢ·softmax(tᵢ[r, :]/T), in double for the log of a mixture.
    private void Combine(Span<float> soft, int b, float temperature)
    {
        int c = _classes;
        Span<double> mixture = c <= 256 ? stackalloc double[c] : new double[c];
        for (int r = 0; r < b; r++)
        {
            mixture.Clear();
            for (int i = 0; i < _teachers.Length; i++)
            {
                ReadOnlySpan<float> l = _batchLogits.AsSpan((i * b + r) * c, c);
                double max = double.NegativeInfinity;
                foreach (float v in l) max = Math.Max(max, v / (double)temperature);
                double sum = 0;
                foreach (float v in l) sum += Math.Exp(v / (double)temperature - max);
                for (int j = 0; j < c; j++) mixture[j] += _weights[i] * Math.Exp(l[j] / (double)temperature - max) / sum;
            }
            for (int j = 0; j < c; j++) soft[r * c + j] = (float)(temperature * Math.Log(Math.Max(mixture[j], double.Epsilon)));
        }
    }

    private void TeacherForward(int teacher, Tensor features, Span<float> destination)
    {
        Teacher t = _teachers[teacher];
        if (t.Model is null)
            throw new InvalidOperationException($"Teacher {t} is precomputed logits and cannot score augmented images; turn augmentation off or give the teacher model.");
        var (graph, upload) = _forwards[teacher] ??= (new Graph(t.Model.Backend, evaluationMode: true), new FeatureUpload(t.Model.Backend));
        graph.Reset();
        using var _ = GradMode.NoGrad();
        Variable logits = t.Model.Forward(graph.Input(upload.Rows(features)));
        logits.Data.Backend.CopyToHost(logits.Data, destination);
    }

    /// <summary>
    /// Releases the device memory made here (the target buffers, each teacher's forward graph and upload buffers) now;
    /// the teachers are not this object's and stay. Idempotent.
    /// </summary>
    public void Dispose()
    {
        DeviceMemory.Release(_soft);
        DeviceMemory.Release(_mean);
        foreach (var forward in _forwards)
            if (forward is var (graph, upload))
            {
                graph.Dispose();
                upload.Dispose();
            }
    }
}
