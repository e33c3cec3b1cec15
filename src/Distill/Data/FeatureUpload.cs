using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Brings batches of feature rows and their labels to the backend a model computes on: one copy of each per batch into
/// buffers that are reused for every batch, the only host-to-device transfers of a training step. On the rows' own
/// backend the rows pass through untouched, and on the CPU the labels are viewed in place (no copy).
/// </summary>
public sealed class FeatureUpload : IDisposable
{
    private Tensor _buffer;
    private IntStorage? _labels; // the device buffer of the labels

    /// <summary>Uploads to <paramref name="backend"/>.</summary>
    public FeatureUpload(ICompute backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
    }

    /// <summary>Where the rows go.</summary>
    public ICompute Backend { get; }

    /// <summary>
    /// <paramref name="rows"/> ([B, F]) on <see cref="Backend"/>: the rows themselves when they already live there,
    /// else a view of the upload buffer (valid until the next call) holding a copy of them.
    /// </summary>
    /// <exception cref="ArgumentException">The rows are not a matrix.</exception>
    /// <exception cref="InvalidOperationException">The rows live on a backend other than the host's and <see cref="Backend"/>.</exception>
    public Tensor Rows(Tensor rows)
    {
        if (rows.Rank != 2) throw new ArgumentException($"Feature rows are [B, F]; got {rows.Shape}.", nameof(rows));
        if (ReferenceEquals(rows.Backend, Backend)) return rows;
        int b = rows.Shape[0], f = rows.Shape[1];
        if (_buffer.IsEmpty || _buffer.Shape[0] < b || _buffer.Shape[1] != f) _buffer = Tensor.Zeros(new Shape(b, f), Backend);
        Tensor view = b == _buffer.Shape[0] ? _buffer : _buffer.Slice(0, b);
        Backend.CopyFromHost(view, rows.Span);
        return view;
    }

    /// <summary>
    /// <paramref name="batch"/> with its features (see <see cref="Rows"/>) and its labels (<see cref="Batch.LabelTensor"/>)
    /// on <see cref="Backend"/>: one copy of each per batch on a device; on the CPU the labels are viewed in place. The
    /// host labels and indices stay as they are for the metrics.
    /// </summary>
    public Batch Of(in Batch batch)
    {
        Tensor features = Rows(batch.Features);
        return new Batch(features, batch.Labels, batch.Indices, Labels(batch.Labels));
    }

    // The labels on the backend, in a buffer reused for every batch (valid until the next call).
    private IntTensor Labels(ReadOnlyMemory<int> labels)
    {
        if (Backend is CpuCompute) return IntTensor.FromMemory(labels);
        if (_labels is null || _labels.Length < labels.Length)
        {
            _labels?.Dispose();
            _labels = Backend.AllocateInts(labels.Length);
        }
        var tensor = new IntTensor(_labels, 0, labels.Length);
        Backend.CopyFromHost(tensor, labels.Span);
        return tensor;
    }

    /// <summary>Releases the device buffers of the rows and labels now (the CPU's are left to the collector). Idempotent.</summary>
    public void Dispose()
    {
        DeviceMemory.Release(_buffer);
        DeviceMemory.Release(_labels);
    }
}
