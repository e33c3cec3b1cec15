using System.Runtime.InteropServices;
using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>
/// The gradient of an embedding table as PyTorch's <c>sparse=True</c> gives it: only the rows a step touched, each
/// once (repeated indices are summed into the same row). <see cref="Rows"/> lists the touched table rows in first-touch
/// order and <see cref="Values"/> holds their gradients, row k of the one for table row Rows[k].
/// </summary>
/// <remarks>
/// Clearing forgets only the touched rows, so a step costs time in proportion to the rows it touches, not to the
/// table. The buffers grow to the largest step seen and are then reused: the steady state allocates nothing.
/// </remarks>
public sealed class RowSparseGradient
{
    private readonly int[] _slotOfRow;
    private readonly List<int> _rows = [];
    private int[] _slots = [];
    private Storage _values;

    /// <summary>Creates an empty gradient for a table of <paramref name="tableRows"/> rows of <paramref name="width"/>.</summary>
    public RowSparseGradient(int tableRows, int width, ICompute backend)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tableRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(backend);
        TableRows = tableRows;
        Width = width;
        _slotOfRow = new int[tableRows];
        Array.Fill(_slotOfRow, -1);
        _values = backend.Allocate(width * 16);
    }

    /// <summary>The number of rows of the table.</summary>
    public int TableRows { get; }

    /// <summary>The row width of the table.</summary>
    public int Width { get; }

    /// <summary>How many distinct rows hold a gradient.</summary>
    public int Count => _rows.Count;

    /// <summary>The touched table rows, in first-touch order.</summary>
    public ReadOnlySpan<int> Rows => CollectionsMarshal.AsSpan(_rows);

    /// <summary>The gradients of the touched rows, [Count, Width]; row k belongs to table row Rows[k].</summary>
    public Tensor Values => new(_values, new Shape(Count, Width));

    /// <summary>Forgets every row (the next backward pass starts from zero).</summary>
    public void Clear()
    {
        foreach (int row in _rows) _slotOfRow[row] = -1;
        _rows.Clear();
    }

    /// <summary>The gradient as a dense [TableRows, Width] tensor (for tests and gradient checks; allocates).</summary>
    public Tensor ToDense()
    {
        ICompute backend = _values.Backend;
        var dense = new float[TableRows * Width];
        float[] values = Values.ToArray();
        for (int k = 0; k < _rows.Count; k++)
            values.AsSpan(k * Width, Width).CopyTo(dense.AsSpan(_rows[k] * Width, Width));
        return Tensor.Upload(dense, new Shape(TableRows, Width), backend);
    }

    /// <summary>
    /// Registers the table rows named by <paramref name="indices"/> (new ones get a zeroed gradient row) and returns,
    /// for each index, the row of <see cref="Values"/> that collects it. The span is valid until the next call.
    /// </summary>
    internal ReadOnlySpan<int> SlotsFor(ReadOnlySpan<int> indices)
    {
        if (_slots.Length < indices.Length) _slots = new int[Math.Max(indices.Length, _slots.Length * 2)];
        int before = _rows.Count;
        for (int j = 0; j < indices.Length; j++)
        {
            int row = indices[j];
            int slot = _slotOfRow[row];
            if (slot < 0)
            {
                slot = _slotOfRow[row] = _rows.Count;
                _rows.Add(row);
            }
            _slots[j] = slot;
        }
        EnsureCapacity(before);
        ICompute backend = _values.Backend;
        if (_rows.Count > before)
            backend.Fill(new Tensor(_values, new Shape((_rows.Count - before) * Width), before * Width), 0f);
        return _slots.AsSpan(0, indices.Length);
    }

    // Grows the value buffer to hold every registered row, keeping the first `keep` rows' gradients.
    private void EnsureCapacity(int keep)
    {
        int needed = _rows.Count * Width;
        if (needed <= _values.Length) return;
        ICompute backend = _values.Backend;
        Storage grown = backend.Allocate(Math.Max(needed, _values.Length * 2));
        if (keep > 0)
            backend.Copy(new Tensor(grown, new Shape(keep * Width)), new Tensor(_values, new Shape(keep * Width)));
        _values = grown;
    }
}
