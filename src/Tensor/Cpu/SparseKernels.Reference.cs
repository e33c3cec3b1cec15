namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The plain loops that define the sparse Linear product y = x·Wᵀ + bias (then ReLU), for tests and benchmarks to
/// compare the vector paths with; it is also the scalar path.
/// </summary>
/// <remarks>
/// B = batch, In = input features (W's columns), Out = output features (W's rows). Every y[b, o] is one fused
/// multiply-add chain over row o's stored units in ascending column order, starting from +0, then + bias[o], then
/// max(·, 0): the batch-in-lanes kernels (<see cref="SparseLanes"/>) add in exactly this order and equal it bit for
/// bit; the batch-1 kernels (<see cref="SparseVector"/>) split the chain into partial sums and differ by rounding.
/// </remarks>
public static class SparseReference
{
    /// <summary>y [B, Out] = x [B, In] · Wᵀ (+ bias [Out]) (then ReLU when <paramref name="relu"/>).</summary>
    public static void Run(SparseMatrix w, int batch, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> bias, bool relu) =>
        Rows(w, batch, x, y, bias, relu, 0, w.UnitRows);

    /// <summary>As <see cref="Run"/> for the unit rows [<paramref name="first"/>, <paramref name="end"/>) only.</summary>
    internal static void Rows(SparseMatrix w, int batch, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> bias, bool relu,
        int first, int end)
    {
        int n = w.Columns, outs = w.Rows, height = w.UnitHeight;
        ReadOnlySpan<int> starts = w.RowStarts;
        ReadOnlySpan<ushort> columns = w.ColumnIndices;
        ReadOnlySpan<float> values = w.Values;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xb = x.Slice(b * n, n);
            for (int r = first; r < end; r++)
                for (int i = 0; i < height && r * height + i < outs; i++)
                {
                    float sum = 0f;
                    for (int u = starts[r]; u < starts[r + 1]; u++)
                        sum = MathF.FusedMultiplyAdd(values[u * height + i], xb[columns[u]], sum);
                    int o = r * height + i;
                    y[b * outs + o] = Finish(sum, bias, o, relu);
                }
        }
    }

    /// <summary>The epilogue shared by every path: + bias[o], then ReLU as the dense GEMM does it (NaN passes).</summary>
    internal static float Finish(float sum, ReadOnlySpan<float> bias, int o, bool relu)
    {
        if (!bias.IsEmpty) sum += bias[o];
        return relu && 0f > sum ? 0f : sum;
    }
}
