using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>
/// The gradient of an embedding table as PyTorch's <c>sparse=True</c> gives it: only the rows a step touched, each
/// once (repeated indices are summed into the same row). <see cref="Rows"/> lists the touched table rows in first-touch
/// order and <see cref="Values"/> holds their gradients, row k of the one for table row Rows[k].
/// </summary>
/// <remarks>
/// Clearing forgets only the touched rows, so a step costs time in proportion to the rows it touches, not to the
/// table. The buffers grow to the largest step seen and are then reused: the steady state allocates nothing. The
/// bookkeeping (which rows, which slot each index adds into) is done on the host from the host's copy of the indices.
/// On a device backend a step that staged its indices (<see cref="Stage"/>) finds the slots and rows already in the
/// step's packed upload; otherwise <see cref="SlotsFor"/> uploads the slots and the new rows, one small copy each.
/// </remarks>
public sealed partial class RowSparseGradient
{
    private readonly int[] _slotOfRow;
    private int[] _rows = new int[16];
    private int _count;
    private int[] _slots = [];
    private Storage _values;
    private IntTensor _rowTensor, _slotTensor; // _rows and _slots on the backend: views of them on the CPU

    /// <summary>Creates an empty gradient for a table of <paramref name="tableRows"/> rows of <paramref name="width"/>.</summary>
    public RowSparseGradient(int tableRows, int width, ICompute backend)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tableRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(backend);
        TableRows = tableRows;
        Width = width;
        _slotOfRow = NewSlotMap(tableRows);
        _values = backend.Allocate(width * 16);
        _rowTensor = Mirror(_rows, backend);
        _slotTensor = Mirror(_slots, backend);
    }

    /// <summary>The number of rows of the table.</summary>
    public int TableRows { get; }

    /// <summary>The row width of the table.</summary>
    public int Width { get; }

    /// <summary>How many distinct rows hold a gradient.</summary>
    public int Count => _count;

    /// <summary>The touched table rows, in first-touch order.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>The touched table rows on the gradient's backend (what a sparse optimizer update reads), <see cref="Count"/> of them.</summary>
    public IntTensor RowTensor => (_rowsPlanned ? _plannedRows : _rowTensor).Slice(0, _count);

    /// <summary>The gradients of the touched rows, [Count, Width]; row k belongs to table row Rows[k].</summary>
    public Tensor Values => new(_values, new Shape(Count, Width));

    /// <summary>Forgets every row (the next backward pass starts from zero).</summary>
    public void Clear()
    {
        foreach (int row in Rows) _slotOfRow[row] = -1;
        _count = 0;
        _rowsPlanned = false;
    }

    /// <summary>The gradient as a dense [TableRows, Width] tensor (for tests and gradient checks; allocates).</summary>
    public Tensor ToDense()
    {
        ICompute backend = _values.Backend;
        var dense = new float[TableRows * Width];
        float[] values = Values.ToArray();
        for (int k = 0; k < _count; k++)
            values.AsSpan(k * Width, Width).CopyTo(dense.AsSpan(_rows[k] * Width, Width));
        return Tensor.Upload(dense, new Shape(TableRows, Width), backend);
    }

    /// <summary>
    /// Registers the table rows named by <paramref name="indices"/> (new ones get a zeroed gradient row) and returns,
    /// for each index, the row of <see cref="Values"/> that collects it, as an int tensor of the gradient's backend
    /// valid until the next call.
    /// </summary>
    internal IntTensor SlotsFor(ReadOnlySpan<int> indices)
    {
        ICompute backend = _values.Backend;
        int before = Register(indices);
        if (_count > before && !_rowTensor.IsHost)
        {
            int from = _rowsPlanned ? 0 : before; // the planned rows live in a step's upload: copy them all into our own
            backend.CopyFromHost(_rowTensor.Slice(from, _count - from), _rows.AsSpan(from, _count - from));
            _rowsPlanned = false;
        }
        IntTensor slots = _slotTensor.Slice(0, indices.Length);
        if (!slots.IsHost) backend.CopyFromHost(slots, _slots.AsSpan(0, indices.Length));
        return slots;
    }

    // The host half of SlotsFor: registers the rows (zeroing new gradient rows on the backend) and writes each index's
    // slot into _slots. Returns the row count before.
    private int Register(ReadOnlySpan<int> indices)
    {
        ICompute backend = _values.Backend;
        if (_slots.Length < indices.Length)
        {
            _slots = new int[Math.Max(indices.Length, _slots.Length * 2)];
            _slotTensor = Mirror(_slots, backend, _slotTensor);
        }
        int before = _count;
        for (int j = 0; j < indices.Length; j++)
        {
            int row = indices[j];
            int slot = _slotOfRow[row];
            if (slot < 0)
            {
                slot = _slotOfRow[row] = _count;
                if (_count == _rows.Length)
                {
                    Array.Resize(ref _rows, _rows.Length * 2);
                    _rowTensor = Mirror(_rows, backend, _rowTensor, _rowsPlanned ? 0 : before);
                }
                _rows[_count++] = row;
            }
            _slots[j] = slot;
        }
        EnsureCapacity(before);
        if (_count > before) backend.Fill(new Tensor(_values, new Shape((_count - before) * Width), before * Width), 0f);
        return before;
    }

    // Releases the device memory (values, rows, slots); a CPU gradient is left to the collector.
    internal void Dispose()
    {
        DeviceMemory.Release(_values);
        DeviceMemory.Release(_rowTensor);
        DeviceMemory.Release(_slotTensor);
    }

    // An int tensor on the backend for the host array: a view of it on the CPU, else a device buffer of its length
    // (replacing `old`, whose first `keep` entries are uploaded again).
    private static IntTensor Mirror(int[] host, ICompute backend, IntTensor old = default, int keep = 0)
    {
        if (backend is CpuCompute) return IntTensor.FromArray(host);
        DeviceMemory.Release(old);
        var tensor = new IntTensor(backend.AllocateInts(host.Length), 0, host.Length);
        if (keep > 0) backend.CopyFromHost(tensor.Slice(0, keep), host.AsSpan(0, keep));
        return tensor;
    }

    // Grows the value buffer to hold every registered row, keeping the first `keep` rows' gradients.
    private void EnsureCapacity(int keep)
    {
        int needed = _count * Width;
        if (needed <= _values.Length) return;
        ICompute backend = _values.Backend;
        Storage grown = backend.Allocate(Math.Max(needed, _values.Length * 2));
        if (keep > 0)
            backend.Copy(new Tensor(grown, new Shape(keep * Width)), new Tensor(_values, new Shape(keep * Width)));
        DeviceMemory.Release(_values);
        _values = grown;
    }
}
