namespace TinyKd.Tensors;

/// <summary>How a <see cref="SparseMatrix"/> lays out its non-zeros.</summary>
public enum SparseFormat
{
    /// <summary>
    /// Compressed sparse rows: every non-zero element is stored with its column index, rows one after another.
    /// One unit = one element.
    /// </summary>
    Csr,
    /// <summary>
    /// Blocks of <see cref="SparseMatrix.BlockHeight"/> consecutive rows (output channels) × 1 column: a block is
    /// kept when any of its elements is non-zero, and stored whole (explicit zeros inside kept blocks), with one
    /// column index per block. A row count that is not a multiple of the block height is padded with zero rows.
    /// One unit = one block.
    /// </summary>
    Blocked,
}

/// <summary>
/// A sparse weight matrix W [Rows, Columns] (a Linear layer's weight, Rows = output features, Columns = input
/// features), immutable, in one of the <see cref="SparseFormat"/> layouts, with 16-bit column indices.
/// </summary>
/// <remarks>
/// The three arrays are what a model file stores: <see cref="RowStarts"/> (units of row r — or of block row r — are
/// <c>RowStarts[r] … RowStarts[r + 1] − 1</c>), <see cref="ColumnIndices"/> (one per unit, ascending within a row)
/// and <see cref="Values"/> (one float per CSR unit, <see cref="BlockHeight"/> per block: the block's rows in order).
/// <see cref="FromParts"/> rebuilds the matrix from them. Column indices are 16-bit, so at most 65,536 columns.
/// </remarks>
public sealed class SparseMatrix
{
    /// <summary>Rows per block in the <see cref="SparseFormat.Blocked"/> layout: one AVX2 vector of output channels.</summary>
    public const int BlockHeight = 8;

    /// <summary>The most columns a 16-bit column index can address.</summary>
    public const int MaxColumns = ushort.MaxValue + 1;

    private readonly int[] _rowStarts;
    private readonly ushort[] _columnIndices;
    private readonly float[] _values;

    private SparseMatrix(SparseFormat format, int rows, int columns, int[] rowStarts, ushort[] columnIndices, float[] values)
    {
        Format = format;
        Rows = rows;
        Columns = columns;
        _rowStarts = rowStarts;
        _columnIndices = columnIndices;
        _values = values;
    }

    /// <summary>The layout.</summary>
    public SparseFormat Format { get; }

    /// <summary>Rows of W (output features).</summary>
    public int Rows { get; }

    /// <summary>Columns of W (input features).</summary>
    public int Columns { get; }

    /// <summary>Rows per unit: 1 for CSR, <see cref="BlockHeight"/> for the blocked layout.</summary>
    public int UnitHeight => Format == SparseFormat.Blocked ? BlockHeight : 1;

    /// <summary>Rows of units: <see cref="Rows"/> for CSR, ⌈Rows / BlockHeight⌉ block rows for the blocked layout.</summary>
    public int UnitRows => _rowStarts.Length - 1;

    /// <summary>Stored units (elements for CSR, blocks for the blocked layout).</summary>
    public int Units => _columnIndices.Length;

    /// <summary>Non-zero elements among the stored values.</summary>
    public int NonZeros
    {
        get
        {
            int count = 0;
            foreach (float v in _values) if (v != 0f) count++;
            return count;
        }
    }

    /// <summary>The fraction of W's elements that are zero (0 for a dense matrix, 1 for an all-zero one).</summary>
    public double Sparsity => Rows == 0 || Columns == 0 ? 0 : 1 - (double)NonZeros / ((long)Rows * Columns);

    /// <summary>Where each row (CSR) or block row (blocked) starts in <see cref="ColumnIndices"/>: UnitRows + 1 entries.</summary>
    public ReadOnlySpan<int> RowStarts => _rowStarts;

    /// <summary>The column of every unit, ascending within a row.</summary>
    public ReadOnlySpan<ushort> ColumnIndices => _columnIndices;

    /// <summary>The stored values: <see cref="Units"/> × <see cref="UnitHeight"/> floats.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Bytes of the three arrays (4 per row start, 2 per index, 4 per value): what a model file stores.</summary>
    public long ByteSize => 4L * _rowStarts.Length + 2L * _columnIndices.Length + 4L * _values.Length;

    /// <summary>
    /// Builds the sparse form of the row-major dense matrix <paramref name="dense"/> [rows, columns], dropping zeros
    /// (CSR) or all-zero blocks (blocked). −0 counts as zero.
    /// </summary>
    /// <exception cref="ArgumentException">The span does not hold rows × columns floats, a size is negative, or
    /// there are more than <see cref="MaxColumns"/> columns.</exception>
    public static SparseMatrix FromDense(ReadOnlySpan<float> dense, int rows, int columns, SparseFormat format)
    {
        CheckSize(rows, columns, format);
        if (dense.Length != (long)rows * columns)
            throw new ArgumentException($"The dense matrix has {dense.Length} floats; [{rows}, {columns}] needs {(long)rows * columns}.", nameof(dense));
        int height = format == SparseFormat.Blocked ? BlockHeight : 1;
        int unitRows = (rows + height - 1) / height;
        var rowStarts = new int[unitRows + 1];
        var columnIndices = new List<ushort>();
        var values = new List<float>();
        for (int r = 0; r < unitRows; r++)
        {
            int first = r * height, last = Math.Min(first + height, rows);
            for (int k = 0; k < columns; k++)
            {
                bool kept = false;
                for (int i = first; i < last && !kept; i++) kept = dense[i * columns + k] != 0f;
                if (!kept) continue;
                columnIndices.Add((ushort)k);
                for (int i = first; i < first + height; i++) values.Add(i < last ? dense[i * columns + k] : 0f);
            }
            rowStarts[r + 1] = columnIndices.Count;
        }
        return new SparseMatrix(format, rows, columns, rowStarts, columnIndices.ToArray(), values.ToArray());
    }

    /// <summary>
    /// Rebuilds a matrix from its stored arrays (as read from a model file), copying them after checking that they
    /// describe a valid matrix.
    /// </summary>
    /// <exception cref="ArgumentException">A size or array length is inconsistent, the row starts do not rise from 0
    /// to the unit count, or a column index is out of range or not ascending within its row; the message names it.</exception>
    public static SparseMatrix FromParts(SparseFormat format, int rows, int columns, ReadOnlySpan<int> rowStarts,
        ReadOnlySpan<ushort> columnIndices, ReadOnlySpan<float> values)
    {
        CheckSize(rows, columns, format);
        int height = format == SparseFormat.Blocked ? BlockHeight : 1;
        int unitRows = (rows + height - 1) / height;
        if (rowStarts.Length != unitRows + 1)
            throw new ArgumentException($"{rowStarts.Length} row starts for a {format} [{rows}, {columns}] matrix; it needs {unitRows + 1}.", nameof(rowStarts));
        if (values.Length != (long)columnIndices.Length * height)
            throw new ArgumentException($"{values.Length} values for {columnIndices.Length} {format} units of {height}; it needs {(long)columnIndices.Length * height}.", nameof(values));
        if (rowStarts[0] != 0 || rowStarts[unitRows] != columnIndices.Length)
            throw new ArgumentException($"Row starts must run from 0 to {columnIndices.Length} (the index count); they run from {rowStarts[0]} to {rowStarts[unitRows]}.", nameof(rowStarts));
        for (int r = 0; r < unitRows; r++)
        {
            if (rowStarts[r + 1] < rowStarts[r])
                throw new ArgumentException($"Row starts fall at row {r}: {rowStarts[r]} then {rowStarts[r + 1]}.", nameof(rowStarts));
            for (int u = rowStarts[r]; u < rowStarts[r + 1]; u++)
                if (columnIndices[u] >= columns || (u > rowStarts[r] && columnIndices[u] <= columnIndices[u - 1]))
                    throw new ArgumentException($"Column index {columnIndices[u]} at {u} (row {r}) is outside [0, {columns}) or not ascending.", nameof(columnIndices));
        }
        if (format == SparseFormat.Blocked && rows % height != 0)
            for (int u = rowStarts[unitRows - 1]; u < columnIndices.Length; u++)
                for (int i = rows % height; i < height; i++)
                    if (values[u * height + i] != 0f)
                        throw new ArgumentException($"Value {values[u * height + i]} in padding row {rows - rows % height + i} of block {u}; rows past {rows} must be 0.", nameof(values));
        return new SparseMatrix(format, rows, columns, rowStarts.ToArray(), columnIndices.ToArray(), values.ToArray());
    }

    /// <summary>The dense row-major [Rows, Columns] matrix: exactly the values it was built from.</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)Rows * Columns];
        int height = UnitHeight;
        for (int r = 0; r < UnitRows; r++)
            for (int u = _rowStarts[r]; u < _rowStarts[r + 1]; u++)
                for (int i = 0; i < height && r * height + i < Rows; i++)
                    dense[(r * height + i) * Columns + _columnIndices[u]] = _values[u * height + i];
        return dense;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Format} [{Rows}, {Columns}], {Units} units, sparsity {Sparsity:P1}";

    private static void CheckSize(int rows, int columns, SparseFormat format)
    {
        if (rows < 0 || columns < 0)
            throw new ArgumentException($"A sparse matrix cannot be [{rows}, {columns}].", nameof(rows));
        if (columns > MaxColumns)
            throw new ArgumentException($"A sparse matrix [{rows}, {columns}] has more than {MaxColumns} columns, which 16-bit indices cannot address.", nameof(columns));
        if (!Enum.IsDefined(format))
            throw new ArgumentException($"Unknown sparse format {format}.", nameof(format));
    }
}
