namespace TinyKd.Tensors;

/// <summary>
/// A Linear layer's weight W [Out, In] (y = x·Wᵀ + b) quantized symmetrically per output channel to 7-bit integers
/// q[o, i] ∈ [−64, 64], W ≈ q·scale[o], and packed into <see cref="Int8Tile"/>s for the int8 kernels.
/// </summary>
/// <remarks>
/// Why 7 bits: the AVX2/AVX-512BW kernels multiply u8 activations by s8 weights with vpmaddubsw, which adds two
/// products into a saturating int16. With |q| ≤ 64 the worst pair is 255·64·2 = 32640 ≤ 32767, so it never
/// saturates and every path is exact (FBGEMM/PyTorch's reduce_range and OpenVINO make the same trade: one bit of
/// weight precision for the fast instruction). Full 8-bit weights would need 255·127·2 = 64770 and saturate.
/// Layout: tile (t, g) = columns 16t … 16t+15 × inputs 4g … 4g+3 sits at index t·Groups + g, so one column block's
/// tiles stream contiguously along In; In is padded to a multiple of 4 and Out to a multiple of 16 with zero
/// weights. The per-row sums Σ_i q[o, i], needed to subtract the activation zero point
/// (Σ (a − z)·q = Σ a·q − z·Σ q), are computed here once, at quantization time.
/// Immutable once built: one instance serves any number of threads.
/// </remarks>
public sealed class Int8LinearWeight
{
    /// <summary>The largest |q|: 255·64·2 = 32640 fits vpmaddubsw's int16 pair sum.</summary>
    public const int MaxMagnitude = 64;

    /// <summary>The widest In whose int32 sums cannot overflow: 255·64·131072 &lt; 2³¹.</summary>
    public const int MaxInFeatures = 1 << 17;

    private readonly Int8Tile[] _tiles;
    private readonly float[] _scales;
    private readonly int[] _rowSums;

    private Int8LinearWeight(int outFeatures, int inFeatures, Int8Tile[] tiles, float[] scales, int[] rowSums)
    {
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
        _tiles = tiles;
        _scales = scales;
        _rowSums = rowSums;
    }

    /// <summary>Output features (rows of W).</summary>
    public int OutFeatures { get; }

    /// <summary>Input features (columns of W).</summary>
    public int InFeatures { get; }

    /// <summary>4-byte groups along In: ⌈In / 4⌉.</summary>
    public int Groups => (InFeatures + Int8Tile.Depth - 1) / Int8Tile.Depth;

    /// <summary>16-column blocks along Out: ⌈Out / 16⌉.</summary>
    public int ColumnBlocks => (OutFeatures + Int8Tile.Columns - 1) / Int8Tile.Columns;

    /// <summary>Out rounded up to a multiple of 16: the row stride of the kernels' int32 products.</summary>
    public int PaddedOutFeatures => ColumnBlocks * Int8Tile.Columns;

    /// <summary>The row stride, in bytes, of the u8 activations the kernels read: In rounded up to a multiple of 4.</summary>
    public int PaddedInFeatures => Groups * Int8Tile.Depth;

    /// <summary>
    /// The bytes of one row of u8 activations with <paramref name="features"/> values in the layout the int8 kernels
    /// read and write (<see cref="ICompute.Int8LinearU8(Span{byte}, ReadOnlySpan{byte}, int, Int8LinearWeight,
    /// ActivationQuantization, ActivationQuantization, Tensor, Epilogue)"/>): rounded up to a multiple of 4; the
    /// padding bytes are never read as values. A layer's input rows are <see cref="PaddedInFeatures"/> = ActivationStride(In) bytes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive.</exception>
    public static int ActivationStride(int features) => features > 0 ? (features + Int8Tile.Depth - 1) / Int8Tile.Depth * Int8Tile.Depth
        : throw new ArgumentOutOfRangeException(nameof(features), $"An activation row needs at least one value; got {features}.");

    /// <summary>Bytes held: the packed tiles, one float scale and one int row sum per (padded) output row.</summary>
    public long ByteSize => (long)_tiles.Length * Int8Tile.Size + (long)_scales.Length * sizeof(float) + (long)_rowSums.Length * sizeof(int);

    /// <summary>scale[o], padded with zeros to a multiple of 16 rows.</summary>
    internal float[] Scales => _scales;

    /// <summary>Σ_i q[o, i], padded with zeros to a multiple of 16 rows.</summary>
    internal int[] RowSums => _rowSums;

    /// <summary>The packed tiles.</summary>
    internal Int8Tile[] Tiles => _tiles;

    /// <summary>The quantized weight q[o, i] (read back from the packing).</summary>
    public sbyte this[int o, int i]
    {
        get
        {
            if ((uint)o >= (uint)OutFeatures || (uint)i >= (uint)InFeatures)
                throw new ArgumentOutOfRangeException(nameof(o), $"[{o}, {i}] is outside the weight's [{OutFeatures}, {InFeatures}].");
            return _tiles[o / Int8Tile.Columns * Groups + i / Int8Tile.Depth][o % Int8Tile.Columns, i % Int8Tile.Depth];
        }
    }

    /// <summary>The scale of output row <paramref name="o"/>: W[o, i] ≈ q[o, i]·scale.</summary>
    public float Scale(int o) => (uint)o < (uint)OutFeatures ? _scales[o]
        : throw new ArgumentOutOfRangeException(nameof(o), $"Row {o} is outside the weight's {OutFeatures} output rows.");

    /// <summary>
    /// Quantizes W [<paramref name="outFeatures"/>, <paramref name="inFeatures"/>] (row-major): scale[o] =
    /// max_i |W[o, i]| / 64 (1 for an all-zero row) and q = clamp(round(W / scale), −64, 64), so every element
    /// dequantizes to within scale[o] / 2 of itself.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the length is not Out·In, or a value is not finite.</exception>
    public static Int8LinearWeight Quantize(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        CheckShape(weight.Length, outFeatures, inFeatures, nameof(weight));
        var q = new sbyte[weight.Length];
        var scales = new float[outFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            ReadOnlySpan<float> row = weight.Slice(o * inFeatures, inFeatures);
            float scale = RowScale(row, o, outFeatures, nameof(weight));
            scales[o] = scale;
            for (int i = 0; i < inFeatures; i++) q[o * inFeatures + i] = (sbyte)Code(row[i], scale);
        }
        return FromQuantized(q, scales, outFeatures, inFeatures);
    }

    /// <summary>
    /// The scale of one weight row: max |w| / 64, or 1 for an all-zero row (never 0, so the codes are defined).
    /// </summary>
    /// <exception cref="ArgumentException">The row holds a NaN or an infinity; the message names row <paramref name="o"/> of <paramref name="rows"/>.</exception>
    internal static float RowScale(ReadOnlySpan<float> row, int o, int rows, string parameter)
    {
        float max = 0f;
        foreach (float w in row)
        {
            if (!float.IsFinite(w))
                throw new ArgumentException($"Weight row {o} of [{rows}, {row.Length}] holds {w}; quantization needs finite values.", parameter);
            max = Math.Max(max, Math.Abs(w));
        }
        float scale = max == 0f ? 1f : max / MaxMagnitude;
        return scale > 0f ? scale : float.Epsilon;
    }

    /// <summary>The code of <paramref name="w"/> on a row of step <paramref name="scale"/>: clamp(round(w / scale), −64, 64).</summary>
    internal static float Code(float w, float scale) => Math.Clamp(MathF.Round(w / scale), -MaxMagnitude, MaxMagnitude);

    /// <summary>
    /// Packs already-quantized weights q [<paramref name="outFeatures"/>, <paramref name="inFeatures"/>] (each in
    /// [−64, 64]) with one scale per row: the entry point for calibration schemes that choose their own scales.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes disagree, a value lies outside ±64, or a scale is not finite and positive.</exception>
    public static Int8LinearWeight FromQuantized(ReadOnlySpan<sbyte> values, ReadOnlySpan<float> scales, int outFeatures, int inFeatures)
    {
        CheckShape(values.Length, outFeatures, inFeatures, nameof(values));
        if (scales.Length != outFeatures)
            throw new ArgumentException($"'scales' has {scales.Length} entries for {outFeatures} output rows.", nameof(scales));
        int groups = (inFeatures + Int8Tile.Depth - 1) / Int8Tile.Depth;
        int blocks = (outFeatures + Int8Tile.Columns - 1) / Int8Tile.Columns;
        var tiles = new Int8Tile[blocks * groups];
        var paddedScales = new float[blocks * Int8Tile.Columns];
        var rowSums = new int[blocks * Int8Tile.Columns];
        for (int o = 0; o < outFeatures; o++)
        {
            if (!(scales[o] > 0f) || !float.IsFinite(scales[o]))
                throw new ArgumentException($"Scale of row {o} must be finite and positive; got {scales[o]}.", nameof(scales));
            paddedScales[o] = scales[o];
            int sum = 0;
            for (int i = 0; i < inFeatures; i++)
            {
                sbyte v = values[o * inFeatures + i];
                if (v < -MaxMagnitude || v > MaxMagnitude)
                    throw new ArgumentException($"q[{o}, {i}] = {v} lies outside ±{MaxMagnitude} (the range vpmaddubsw cannot saturate).", nameof(values));
                tiles[o / Int8Tile.Columns * groups + i / Int8Tile.Depth][o % Int8Tile.Columns, i % Int8Tile.Depth] = v;
                sum += v;
            }
            rowSums[o] = sum;
        }
        return new Int8LinearWeight(outFeatures, inFeatures, tiles, paddedScales, rowSums);
    }

    /// <summary>Writes W ≈ q·scale [Out, In] (row-major) into <paramref name="weight"/>.</summary>
    /// <exception cref="ArgumentException">The length is not Out·In.</exception>
    public void Dequantize(Span<float> weight)
    {
        if (weight.Length != OutFeatures * InFeatures)
            throw new ArgumentException($"'weight' has {weight.Length} values for a [{OutFeatures}, {InFeatures}] weight.", nameof(weight));
        for (int o = 0; o < OutFeatures; o++)
            for (int i = 0; i < InFeatures; i++)
                weight[o * InFeatures + i] = this[o, i] * _scales[o];
    }

    private static void CheckShape(int length, int outFeatures, int inFeatures, string name)
    {
        if (inFeatures > MaxInFeatures)
            throw new ArgumentException($"In = {inFeatures} exceeds {MaxInFeatures}, beyond which the int32 sums could overflow.", name);
        if (outFeatures <= 0 || inFeatures <= 0 || (long)outFeatures * inFeatures != length)
            throw new ArgumentException($"A [{outFeatures}, {inFeatures}] weight needs {(long)outFeatures * inFeatures} values; '{name}' has {length}.", name);
    }
}
