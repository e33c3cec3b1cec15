using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

/// <summary>
/// An embedding table [Rows, Width] quantized symmetrically per row: row r holds int8 codes q[r, ·] ∈
/// [−<see cref="MaxMagnitude"/>, <see cref="MaxMagnitude"/>] and one float scale, table[r, d] ≈ q[r, d]·scale[r].
/// Rows are stored row-major (Width bytes each), a quarter of the fp32 table plus 4 bytes a row.
/// </summary>
/// <remarks>
/// The magnitude bound is chosen per table: 127 for tables that are only looked up (a recommender's user rows, which
/// the int8 scoring product reads as u8 activations q + 128 ∈ [1, 255]), 64 for tables that serve as the weight of
/// <see cref="ICompute.Int8Linear"/> (an item table scored against every user: the u8×s8 kernels need |q| ≤ 64, see
/// <see cref="Int8LinearWeight"/>). Immutable once built: one instance serves any number of threads.
/// </remarks>
public sealed class Int8EmbeddingTable
{
    /// <summary>Rows whose largest magnitude is below this quantize to zeros with scale 1, so 1/scale is always finite.</summary>
    public const float ZeroRowThreshold = 1e-30f;

    private readonly sbyte[] _codes;
    private readonly float[] _scales;

    private Int8EmbeddingTable(int rows, int width, int maxMagnitude, sbyte[] codes, float[] scales)
    {
        Rows = rows;
        Width = width;
        MaxMagnitude = maxMagnitude;
        _codes = codes;
        _scales = scales;
    }

    /// <summary>Rows of the table (ids 0 … Rows − 1).</summary>
    public int Rows { get; }

    /// <summary>Numbers per row.</summary>
    public int Width { get; }

    /// <summary>The largest |q| this table's codes may hold (1 … 127).</summary>
    public int MaxMagnitude { get; }

    /// <summary>Bytes held: one code per element and one float scale per row.</summary>
    public long ByteSize => _codes.LongLength + (long)_scales.Length * sizeof(float);

    /// <summary>The codes q, row-major [Rows, Width].</summary>
    public ReadOnlySpan<sbyte> Codes => _codes;

    /// <summary>The per-row scales [Rows].</summary>
    public ReadOnlySpan<float> Scales => _scales;

    /// <summary>The code of element [<paramref name="row"/>, <paramref name="column"/>].</summary>
    public sbyte this[int row, int column] => (uint)row < (uint)Rows && (uint)column < (uint)Width
        ? _codes[row * Width + column]
        : throw new ArgumentOutOfRangeException(nameof(row), $"[{row}, {column}] is outside the table's [{Rows}, {Width}].");

    /// <summary>The scale of <paramref name="row"/>.</summary>
    public float Scale(int row) => (uint)row < (uint)Rows ? _scales[row]
        : throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside the table's {Rows} rows.");

    /// <summary>
    /// Quantizes <paramref name="table"/> [<paramref name="rows"/>, <paramref name="width"/>] (row-major): scale[r] =
    /// max_d |table[r, d]| / <paramref name="maxMagnitude"/> and q = clamp(round(table / scale), ±maxMagnitude), so every
    /// element dequantizes to within scale[r] / 2 of itself. A row whose largest magnitude is below
    /// <see cref="ZeroRowThreshold"/> becomes zeros with scale 1.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the length is not rows·width, the bound is outside 1 … 127, or a value is not finite.</exception>
    public static Int8EmbeddingTable Quantize(ReadOnlySpan<float> table, int rows, int width, int maxMagnitude = 127)
    {
        CheckShape(table.Length, rows, width, maxMagnitude, nameof(table));
        var codes = new sbyte[table.Length];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = table.Slice(r * width, width);
            float max = 0f;
            foreach (float v in row)
            {
                if (!float.IsFinite(v))
                    throw new ArgumentException($"Row {r} of the [{rows}, {width}] table holds {v}; quantization needs finite values.", nameof(table));
                max = Math.Max(max, Math.Abs(v));
            }
            if (max < ZeroRowThreshold)
            {
                scales[r] = 1f;
                continue;
            }
            float scale = max / maxMagnitude;
            scales[r] = scale;
            for (int d = 0; d < width; d++)
                codes[r * width + d] = (sbyte)Math.Clamp(MathF.Round(row[d] / scale), -maxMagnitude, maxMagnitude);
        }
        return new Int8EmbeddingTable(rows, width, maxMagnitude, codes, scales);
    }

    /// <summary>Wraps already-quantized codes [rows, width] and per-row scales (a model file's contents) after checking them.</summary>
    /// <exception cref="ArgumentException">The shapes disagree, a code lies outside ±<paramref name="maxMagnitude"/>, or a scale is not finite and positive.</exception>
    public static Int8EmbeddingTable FromQuantized(ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, int rows, int width, int maxMagnitude = 127)
    {
        CheckShape(codes.Length, rows, width, maxMagnitude, nameof(codes));
        if (scales.Length != rows)
            throw new ArgumentException($"'scales' has {scales.Length} entries for {rows} rows.", nameof(scales));
        for (int r = 0; r < rows; r++)
            if (!(scales[r] > 0f) || !float.IsFinite(scales[r]))
                throw new ArgumentException($"Scale of row {r} must be finite and positive; got {scales[r]}.", nameof(scales));
        for (int i = 0; i < codes.Length; i++)
            if (Math.Abs((int)codes[i]) > maxMagnitude)
                throw new ArgumentException($"q[{i / width}, {i % width}] = {codes[i]} lies outside ±{maxMagnitude}.", nameof(codes));
        return new Int8EmbeddingTable(rows, width, maxMagnitude, codes.ToArray(), scales.ToArray());
    }

    /// <summary>Writes the whole table, q·scale [Rows, Width] row-major, into <paramref name="table"/>.</summary>
    /// <exception cref="ArgumentException">The length is not Rows·Width.</exception>
    public void Dequantize(Span<float> table)
    {
        if (table.Length != _codes.Length)
            throw new ArgumentException($"'table' has {table.Length} values for a [{Rows}, {Width}] table.", nameof(table));
        for (int r = 0; r < Rows; r++)
            for (int d = 0; d < Width; d++)
                table[r * Width + d] = _codes[r * Width + d] * _scales[r];
    }

    /// <summary>
    /// The embedding lookup: output row k = q[rows[k], ·]·scale[rows[k]] ([rows.Length, Width] row-major), on the
    /// current kernel path; every path gives the same floats (one exact int→float conversion and one multiply).
    /// </summary>
    /// <exception cref="ArgumentException">The output length is not rows.Length·Width, or a row id is out of range.</exception>
    public unsafe void Gather(ReadOnlySpan<int> rows, Span<float> output)
    {
        if (output.Length != rows.Length * Width)
            throw new ArgumentException($"'output' has {output.Length} values for {rows.Length} rows of width {Width}.", nameof(output));
        foreach (int r in rows)
            if ((uint)r >= (uint)Rows) throw new ArgumentException($"Row {r} is outside [0, {Rows}).", nameof(rows));
        fixed (sbyte* q = _codes)
        fixed (float* s = _scales, y = output)
        fixed (int* ids = rows)
            Int8EmbeddingKernels.Gather(CpuKernels.Path, q, s, Width, ids, rows.Length, y);
    }

    /// <summary>The table as the packed weight of <see cref="ICompute.Int8Linear"/> (row r = output feature r).</summary>
    /// <exception cref="InvalidOperationException">The table's codes may exceed ±64, the bound of the u8×s8 kernels.</exception>
    public Int8LinearWeight ToLinearWeight() => MaxMagnitude <= Int8LinearWeight.MaxMagnitude
        ? Int8LinearWeight.FromQuantized(_codes, _scales, Rows, Width)
        : throw new InvalidOperationException($"A table with codes up to ±{MaxMagnitude} cannot be an int8 Linear weight (|q| ≤ {Int8LinearWeight.MaxMagnitude}); quantize it with maxMagnitude {Int8LinearWeight.MaxMagnitude}.");

    private static void CheckShape(int length, int rows, int width, int maxMagnitude, string name)
    {
        if (maxMagnitude is < 1 or > 127)
            throw new ArgumentOutOfRangeException(nameof(maxMagnitude), $"The code bound must lie in 1 … 127; got {maxMagnitude}.");
        if (rows <= 0 || width <= 0 || (long)rows * width != length)
            throw new ArgumentException($"A [{rows}, {width}] table needs {(long)rows * width} values; '{name}' has {length}.", name);
    }
}
