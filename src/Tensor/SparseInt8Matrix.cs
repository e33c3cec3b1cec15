namespace TinyKd.Tensors;

/// <summary>
/// A pruned int8 Linear weight W [Out, In] (y = x·Wᵀ + b): the blocked 8×1 layout of <see cref="SparseMatrix"/> (8
/// consecutive output channels × 1 input column per block, 16-bit column indices) with 7-bit integer values
/// q ∈ [−64, 64] and one symmetric scale per output channel, W ≈ q·scale[o]. Immutable: one instance serves any
/// number of threads.
/// </summary>
/// <remarks>
/// The arrays a model file stores: <see cref="RowStarts"/> (blocks of block row r are RowStarts[r] … RowStarts[r + 1]
/// − 1), <see cref="ColumnIndices"/> (one per block, strictly ascending within a block row), <see cref="Values"/> (8
/// per block) and <see cref="Scales"/> (one per output row). Why 7 bits: the kernels multiply u8 activations by these
/// values with vpmaddubsw, which adds two products into a saturating int16; 255·64·2 = 32640 never saturates, so every
/// path is exact (the same trade as <see cref="Int8LinearWeight"/>). The values of a block row are interleaved in
/// groups of 4 blocks, the order vpmaddubsw → vpmaddwd consumes: for the blocks s + 4g … s + 4g + t − 1 of a group
/// (t = 4, or fewer for the row's last group), q(block s + 4g + j, channel 8r + i) sits at Values[8(s + 4g) + t·i + j].
/// Rows past Out in the last block row hold zeros. The per-channel sums Σ q (to take off the activation zero point,
/// Σ (a − z)·q = Σ a·q − z·Σ q) are computed once, when the weight is built.
/// </remarks>
public sealed class SparseInt8Matrix
{
    /// <summary>Output channels per block (the <see cref="SparseFormat.Blocked"/> height).</summary>
    public const int BlockHeight = SparseMatrix.BlockHeight;

    /// <summary>Blocks interleaved per group: the 4 bytes one vpmaddubsw → vpmaddwd pair sums into an int32.</summary>
    public const int GroupBlocks = 4;

    /// <summary>The largest |q|: 255·64·2 = 32640 fits vpmaddubsw's int16 pair sum.</summary>
    public const int MaxMagnitude = Int8LinearWeight.MaxMagnitude;

    private readonly int[] _rowStarts;
    private readonly ushort[] _columnIndices;
    private readonly sbyte[] _values;
    private readonly float[] _scales;
    private readonly int[] _rowSums;

    private SparseInt8Matrix(int rows, int columns, int[] rowStarts, ushort[] columnIndices, sbyte[] values, float[] scales)
    {
        Rows = rows;
        Columns = columns;
        _rowStarts = rowStarts;
        _columnIndices = columnIndices;
        _values = values;
        _scales = scales;
        _rowSums = new int[BlockRows * BlockHeight];
        for (int r = 0; r < BlockRows; r++)
            for (int u = rowStarts[r]; u < rowStarts[r + 1]; u++)
                for (int i = 0; i < BlockHeight; i++)
                    _rowSums[r * BlockHeight + i] += values[ValueIndex(rowStarts[r], rowStarts[r + 1], u, i)];
    }

    /// <summary>Rows of W (output features).</summary>
    public int Rows { get; }

    /// <summary>Columns of W (input features).</summary>
    public int Columns { get; }

    /// <summary>Block rows: ⌈Rows / 8⌉.</summary>
    public int BlockRows => _rowStarts.Length - 1;

    /// <summary>Stored blocks.</summary>
    public int Blocks => _columnIndices.Length;

    /// <summary>Where each block row starts in <see cref="ColumnIndices"/>: BlockRows + 1 entries.</summary>
    public ReadOnlySpan<int> RowStarts => _rowStarts;

    /// <summary>The column of every block, strictly ascending within a block row.</summary>
    public ReadOnlySpan<ushort> ColumnIndices => _columnIndices;

    /// <summary>The quantized values, 8 per block, interleaved in groups of 4 blocks (see the remarks).</summary>
    public ReadOnlySpan<sbyte> Values => _values;

    /// <summary>scale[o], one per output row: W[o, i] ≈ q[o, i]·scale[o].</summary>
    public ReadOnlySpan<float> Scales => _scales;

    /// <summary>Σ_i q[o, i] per output channel, padded with zeros to 8·BlockRows.</summary>
    internal int[] RowSums => _rowSums;

    /// <summary>Bytes of the four stored arrays (4 per row start, 2 per index, 1 per value, 4 per scale).</summary>
    public long ByteSize => 4L * _rowStarts.Length + 2L * _columnIndices.Length + _values.Length + 4L * _scales.Length;

    /// <summary>Non-zero quantized values among the stored ones.</summary>
    public int NonZeros
    {
        get
        {
            int count = 0;
            foreach (sbyte v in _values) if (v != 0) count++;
            return count;
        }
    }

    /// <summary>The fraction of W's elements whose quantized value is zero (0 for an empty matrix).</summary>
    public double Sparsity => Rows == 0 || Columns == 0 ? 0 : 1 - (double)NonZeros / ((long)Rows * Columns);

    /// <summary>
    /// Where q(block <paramref name="block"/>, channel i of its block row) lies in <see cref="Values"/>, for the block
    /// row whose blocks are [<paramref name="rowStart"/>, <paramref name="rowEnd"/>).
    /// </summary>
    internal static int ValueIndex(int rowStart, int rowEnd, int block, int i)
    {
        int group = rowStart + (block - rowStart) / GroupBlocks * GroupBlocks;
        int width = Math.Min(GroupBlocks, rowEnd - group);
        return group * BlockHeight + width * i + (block - group);
    }

    /// <summary>
    /// Quantizes the row-major dense W [<paramref name="rows"/>, <paramref name="columns"/>]: the blocked 8×1
    /// structure of <see cref="SparseMatrix.FromDense"/> (a block is kept when any of its values is non-zero), then
    /// scale[o] = max_i |W[o, i]| / 64 (1 for an all-zero row) and q = clamp(round(W / scale), −64, 64), so every
    /// element dequantizes to within scale[o] / 2 of itself.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is negative, wider than 65,536 columns, disagrees with the length, or a value is not finite.</exception>
    public static SparseInt8Matrix FromDense(ReadOnlySpan<float> dense, int rows, int columns) =>
        FromSparse(SparseMatrix.FromDense(dense, rows, columns, SparseFormat.Blocked));

    /// <summary>
    /// Quantizes a sparse weight as <see cref="FromDense"/> does. A blocked matrix keeps its blocks (explicit zeros
    /// included); a CSR matrix is regrouped into 8×1 blocks.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static SparseInt8Matrix FromSparse(SparseMatrix weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Format != SparseFormat.Blocked)
            return FromDense(weight.ToDense(), weight.Rows, weight.Columns);
        int rows = weight.Rows;
        ReadOnlySpan<int> starts = weight.RowStarts;
        ReadOnlySpan<float> values = weight.Values;
        var scales = new float[rows];
        for (int r = 0; r < weight.UnitRows; r++)
            for (int u = starts[r]; u < starts[r + 1]; u++)
                for (int i = 0; i < BlockHeight && r * BlockHeight + i < rows; i++)
                {
                    float w = values[u * BlockHeight + i];
                    if (!float.IsFinite(w))
                        throw new ArgumentException($"W [{rows}, {weight.Columns}] holds {w} in row {r * BlockHeight + i}; quantization needs finite values.", nameof(weight));
                    scales[r * BlockHeight + i] = Math.Max(scales[r * BlockHeight + i], Math.Abs(w));
                }
        for (int o = 0; o < rows; o++)
        {
            float scale = scales[o] == 0f ? 1f : scales[o] / MaxMagnitude;
            scales[o] = scale > 0f ? scale : float.Epsilon;
        }
        var q = new sbyte[values.Length];
        for (int r = 0; r < weight.UnitRows; r++)
            for (int u = starts[r]; u < starts[r + 1]; u++)
                for (int i = 0; i < BlockHeight && r * BlockHeight + i < rows; i++)
                    q[ValueIndex(starts[r], starts[r + 1], u, i)] = (sbyte)Math.Clamp(
                        MathF.Round(values[u * BlockHeight + i] / scales[r * BlockHeight + i]), -MaxMagnitude, MaxMagnitude);
        return new SparseInt8Matrix(rows, weight.Columns, starts.ToArray(), weight.ColumnIndices.ToArray(), q, scales);
    }

    /// <summary>
    /// Rebuilds a weight from its stored arrays (a model file's), validating every one: the sizes, the row starts
    /// (0 first, non-decreasing, the block count last), the indices (below <paramref name="columns"/>, strictly
    /// ascending within a block row), the values (8 per block, within ±64, zero in padding rows) and the scales
    /// (one per row, finite and positive).
    /// </summary>
    /// <exception cref="ArgumentException">An array is inconsistent; the message names it, the position and the value.</exception>
    public static SparseInt8Matrix FromParts(int rows, int columns, ReadOnlySpan<int> rowStarts, ReadOnlySpan<ushort> columnIndices,
        ReadOnlySpan<sbyte> values, ReadOnlySpan<float> scales)
    {
        if (rows < 0 || columns < 0 || columns > SparseMatrix.MaxColumns)
            throw new ArgumentException($"A sparse int8 weight cannot be [{rows}, {columns}] (16-bit indices address at most {SparseMatrix.MaxColumns} columns).", nameof(rows));
        int blockRows = (rows + BlockHeight - 1) / BlockHeight;
        if (rowStarts.Length != blockRows + 1)
            throw new ArgumentException($"'rowStarts' has {rowStarts.Length} entries; [{rows}, {columns}] has {blockRows} block rows, so it needs {blockRows + 1}.", nameof(rowStarts));
        if (rowStarts[0] != 0 || rowStarts[blockRows] != columnIndices.Length)
            throw new ArgumentException($"'rowStarts' must run from 0 to the block count {columnIndices.Length}; it runs from {rowStarts[0]} to {rowStarts[blockRows]}.", nameof(rowStarts));
        if (values.Length != (long)columnIndices.Length * BlockHeight)
            throw new ArgumentException($"'values' has {values.Length} entries; {columnIndices.Length} blocks need {(long)columnIndices.Length * BlockHeight}.", nameof(values));
        if (scales.Length != rows)
            throw new ArgumentException($"'scales' has {scales.Length} entries for {rows} rows.", nameof(scales));
        for (int r = 0; r < blockRows; r++)
        {
            if (rowStarts[r + 1] < rowStarts[r] || rowStarts[r + 1] > columnIndices.Length)
                throw new ArgumentException($"'rowStarts' is not non-decreasing within 0 … {columnIndices.Length} at block row {r}: {rowStarts[r]} then {rowStarts[r + 1]}.", nameof(rowStarts));
            for (int u = rowStarts[r]; u < rowStarts[r + 1]; u++)
            {
                if (columnIndices[u] >= columns)
                    throw new ArgumentException($"Column index {columnIndices[u]} of block {u} is not below In = {columns}.", nameof(columnIndices));
                if (u > rowStarts[r] && columnIndices[u] <= columnIndices[u - 1])
                    throw new ArgumentException($"Column indices of block row {r} are not strictly ascending: block {u} has {columnIndices[u]} after {columnIndices[u - 1]}.", nameof(columnIndices));
                for (int i = 0; i < BlockHeight; i++)
                {
                    sbyte v = values[ValueIndex(rowStarts[r], rowStarts[r + 1], u, i)];
                    if (v < -MaxMagnitude || v > MaxMagnitude)
                        throw new ArgumentException($"Value {v} of block {u}, channel {r * BlockHeight + i} lies outside ±{MaxMagnitude}.", nameof(values));
                    if (v != 0 && r * BlockHeight + i >= rows)
                        throw new ArgumentException($"Value {v} of block {u} lies in padding row {r * BlockHeight + i}; rows past {rows} must be 0.", nameof(values));
                }
            }
        }
        for (int o = 0; o < rows; o++)
            if (!(scales[o] > 0f) || !float.IsFinite(scales[o]))
                throw new ArgumentException($"Scale of row {o} must be finite and positive; got {scales[o]}.", nameof(scales));
        return new SparseInt8Matrix(rows, columns, rowStarts.ToArray(), columnIndices.ToArray(), values.ToArray(), scales.ToArray());
    }

    /// <summary>The quantized value q[o, i] (0 where no block is stored).</summary>
    /// <exception cref="ArgumentOutOfRangeException">[o, i] lies outside [Rows, Columns].</exception>
    public sbyte this[int o, int i]
    {
        get
        {
            if ((uint)o >= (uint)Rows || (uint)i >= (uint)Columns)
                throw new ArgumentOutOfRangeException(nameof(o), $"[{o}, {i}] is outside the weight's [{Rows}, {Columns}].");
            int r = o / BlockHeight, start = _rowStarts[r], end = _rowStarts[r + 1];
            int u = Array.BinarySearch(_columnIndices, start, end - start, (ushort)i);
            return u < 0 ? (sbyte)0 : _values[ValueIndex(start, end, u, o % BlockHeight)];
        }
    }

    /// <summary>The dequantized dense row-major [Rows, Columns] matrix, W[o, i] = q[o, i]·scale[o].</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)Rows * Columns];
        for (int r = 0; r < BlockRows; r++)
            for (int u = _rowStarts[r]; u < _rowStarts[r + 1]; u++)
                for (int i = 0; i < BlockHeight && r * BlockHeight + i < Rows; i++)
                {
                    int o = r * BlockHeight + i;
                    dense[(long)o * Columns + _columnIndices[u]] = _values[ValueIndex(_rowStarts[r], _rowStarts[r + 1], u, i)] * _scales[o];
                }
        return dense;
    }

    /// <inheritdoc />
    public override string ToString() => $"int8 blocked [{Rows}, {Columns}], {Blocks} blocks, sparsity {Sparsity:P1}";
}
