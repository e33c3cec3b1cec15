using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Brings batches of feature rows to the backend a model computes on: one copy per batch into a buffer that is reused
/// for every batch, the only host-to-device transfer of a training step. On the rows' own backend the rows pass
/// through untouched (no copy on the CPU).
/// </summary>
public sealed class FeatureUpload
{
    private Tensor _buffer;

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

    /// <summary><paramref name="batch"/> with its features on <see cref="Backend"/> (see <see cref="Rows"/>); labels and indices stay on the host.</summary>
    public Batch Of(in Batch batch) =>
        ReferenceEquals(batch.Features.Backend, Backend) ? batch : new Batch(Rows(batch.Features), batch.Labels, batch.Indices);
}
