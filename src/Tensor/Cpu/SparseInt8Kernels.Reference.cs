namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The plain loops that define the pruned int8 Linear product, for tests and benchmarks to compare the vector paths
/// with; its integer part is also the scalar path.
/// </summary>
/// <remarks>
/// B = batch, In = input features (W's columns), Out = output features (W's rows). C[b, o] = Σ_u (a[b, column_u] − z)·
/// q(u, o) over the stored blocks u of o's block row, in int32: exact, so any order of summation gives the same bits
/// and every path must equal it. Then y[b, o] = (float)C[b, o]·(s_a·s_w[o]) + bias[o], then max(·, 0): the float
/// epilogue of <see cref="Int8GemmReference.Epilogue"/>, in the same operation order on every path.
/// </remarks>
public static class SparseInt8Reference
{
    /// <summary>
    /// y [B, Out] = x [B, In]·Wᵀ (+ bias) (then ReLU), x quantized to u8 with <paramref name="activation"/> (or, when
    /// null, dynamically from its own range) by the plain quantizer.
    /// </summary>
    /// <exception cref="ArgumentException">x holds a NaN or an infinity (dynamic quantization).</exception>
    public static unsafe void Run(SparseInt8Matrix w, int batch, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> bias, bool relu,
        ActivationQuantization? activation = null)
    {
        ActivationQuantization p = activation ?? ActivationQuantization.FromData(x);
        var a = new byte[x.Length];
        fixed (float* px = x)
        fixed (byte* pa = a)
            Int8Activations.QuantizeReference(px, pa, x.Length, 1f / p.Scale, p.ZeroPoint);
        var c = new int[batch * w.Rows];
        Products(w, batch, a, p.ZeroPoint, c, 0, w.BlockRows);
        Epilogue(w, batch, c, w.Rows, p.Scale, y, bias, relu, 0, w.Rows);
    }

    /// <summary>C [B, Out] = Σ (a − z)·q for the block rows [<paramref name="first"/>, <paramref name="end"/>), a being [B, In] u8.</summary>
    public static void Products(SparseInt8Matrix w, int batch, ReadOnlySpan<byte> a, int zeroPoint, Span<int> c, int first, int end)
    {
        int n = w.Columns, outs = w.Rows, height = SparseInt8Matrix.BlockHeight;
        ReadOnlySpan<int> starts = w.RowStarts;
        ReadOnlySpan<ushort> columns = w.ColumnIndices;
        ReadOnlySpan<sbyte> values = w.Values;
        for (int b = 0; b < batch; b++)
            for (int r = first; r < end; r++)
                for (int i = 0; i < height && r * height + i < outs; i++)
                {
                    int sum = 0;
                    for (int u = starts[r]; u < starts[r + 1]; u++)
                        sum += (a[b * n + columns[u]] - zeroPoint) * values[SparseInt8Matrix.ValueIndex(starts[r], starts[r + 1], u, i)];
                    c[b * outs + r * height + i] = sum;
                }
    }

    /// <summary>
    /// y[b, o] = (float)C[b, o]·(s_a·s_w[o]) + bias[o] (then max(·, 0)) for the outputs [<paramref name="o0"/>,
    /// <paramref name="o1"/>) of every row; C's rows are <paramref name="cStride"/> ints apart.
    /// </summary>
    public static void Epilogue(SparseInt8Matrix w, int batch, ReadOnlySpan<int> c, int cStride, float scaleA, Span<float> y,
        ReadOnlySpan<float> bias, bool relu, int o0, int o1)
    {
        ReadOnlySpan<float> scales = w.Scales;
        for (int b = 0; b < batch; b++)
            for (int o = o0; o < o1; o++)
            {
                float v = c[b * cStride + o] * (scaleA * scales[o]);
                if (!bias.IsEmpty) v += bias[o];
                y[b * w.Rows + o] = relu ? Math.Max(v, 0f) : v;
            }
    }
}
