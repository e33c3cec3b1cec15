using TinyKd.Tensors;

namespace TinyKd.Autograd;

// The step's slots computed when the batch is staged, so that on a device they cross in the batch's packed upload
// instead of inside backward. The plan is what SlotsFor gives from an empty gradient (the usual state after ZeroGrad),
// laid out as one int list:
//   [slots (N) | rows (S) | group starts (S + 1) | bags by slot (N)]
// N = indices, S = distinct rows. The last two parts group the indices by slot (a CSR list): slot s collects the bags
// bagsBySlot[starts[s] .. starts[s + 1]) in increasing index order, the order the CPU adds them in, which lets a
// device sum one (slot, column) element per thread and still match the CPU bit for bit.
public sealed partial class RowSparseGradient
{
    private int[] _plan = [];
    private int _planLength, _planIndexCount, _planRowCount;
    private ReadOnlyMemory<int> _plannedIndices;
    private int[]? _planSlotOfRow; // −1 except while a plan is being made
    private int[] _planCursor = [];
    private IntTensor _plannedRows; // the plan's rows in the step's upload, RowTensor while _rowsPlanned
    private bool _rowsPlanned;

    private ReadOnlyMemory<int> Plan => _plan.AsMemory(0, _planLength);

    /// <summary>
    /// Plans this step's slots for <paramref name="indices"/> (bags by <paramref name="offsets"/>, or one index per bag
    /// when empty) and stages them on <paramref name="graph"/>, whose packed upload then carries them; the backward
    /// pass that reads the same memory from an empty gradient copies nothing. Does nothing on the CPU, or when this
    /// gradient already planned for this step (a table read twice falls back to <see cref="SlotsFor"/>). The indices
    /// must have been checked against the table.
    /// </summary>
    internal void Stage(Graph graph, ReadOnlyMemory<int> indices, ReadOnlySpan<int> offsets)
    {
        if (_values.Backend is CpuCompute || (_planLength > 0 && graph.Holds(Plan))) return;
        ReadOnlySpan<int> idx = indices.Span;
        int n = idx.Length;
        _planSlotOfRow ??= NewSlotMap(TableRows);
        if (_plan.Length < 2 * n + 1 + 2 * n) _plan = new int[Math.Max(4 * n + 1, 2 * _plan.Length)];
        Span<int> slots = _plan.AsSpan(0, n), rows = _plan.AsSpan(n, n);
        int distinct = 0;
        for (int j = 0; j < n; j++)
        {
            ref int slot = ref _planSlotOfRow[idx[j]];
            if (slot < 0)
            {
                slot = distinct;
                rows[distinct++] = idx[j];
            }
            slots[j] = slot;
        }
        for (int k = 0; k < distinct; k++) _planSlotOfRow[rows[k]] = -1;
        // The CSR grouping, placed right after the rows: counts, prefix sums, then a stable fill in index order.
        Span<int> starts = _plan.AsSpan(n + distinct, distinct + 1), bagsBySlot = _plan.AsSpan(n + 2 * distinct + 1, n);
        starts.Clear();
        foreach (int slot in slots) starts[slot + 1]++;
        for (int s = 0; s < distinct; s++) starts[s + 1] += starts[s];
        if (_planCursor.Length < distinct) _planCursor = new int[Math.Max(distinct, 2 * _planCursor.Length)];
        starts[..distinct].CopyTo(_planCursor);
        int bags = offsets.IsEmpty ? n : offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            int start = offsets.IsEmpty ? b : offsets[b], end = offsets.IsEmpty ? b + 1 : offsets[b + 1];
            for (int j = start; j < end; j++) bagsBySlot[_planCursor[slots[j]]++] = b;
        }
        (_planLength, _planIndexCount, _planRowCount, _plannedIndices) = (2 * n + 2 * distinct + 1, n, distinct, indices);
        graph.Stage(Plan);
    }

    /// <summary>
    /// The backward of a planned step: when the gradient is empty and <paramref name="indices"/> is the memory staged
    /// in <paramref name="graph"/>'s current step, registers the rows on the host as <see cref="SlotsFor"/> does and
    /// returns the slots and the slot grouping from the step's upload (copying nothing). Otherwise returns false.
    /// </summary>
    internal bool TryPlanned(ReadOnlyMemory<int> indices, Graph graph, out IntTensor slots, out IntTensor slotGroups)
    {
        (slots, slotGroups) = (default, default);
        if (_count != 0 || _planLength == 0 || indices.IsEmpty || !_plannedIndices.Equals(indices)
            || !graph.TryGetUpload(Plan, out IntTensor plan))
            return false;
        Register(indices.Span);
        int n = _planIndexCount, distinct = _planRowCount;
        _plannedRows = plan.Slice(n, distinct);
        _rowsPlanned = true;
        slots = plan.Slice(0, n);
        slotGroups = plan.Slice(n + distinct, distinct + 1 + n);
        return true;
    }

    private static int[] NewSlotMap(int rows)
    {
        var map = new int[rows];
        Array.Fill(map, -1);
        return map;
    }
}
