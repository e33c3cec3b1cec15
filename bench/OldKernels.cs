using System.Numerics.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// Kernels as they were before the fused vector versions replaced them, kept here only to measure the speedup in
/// the same run. (The old Adam/SGD loops live on as <c>OptimizerReference</c>; the old composed distillation loss is
/// the <c>Softmax</c> + <c>LossReference.KlDivergence</c> + <c>LossReference.KlDivergenceBackward</c> steps.)
/// </summary>
internal static class OldKernels
{
    [ThreadStatic] private static float[]? t_row;

    /// <summary>Row softmax/log-softmax with temperature as five TensorPrimitives calls per row (max, subtract, scale, exp, sum).</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int columns, float temperature, bool log)
    {
        float invT = 1f / temperature;
        float[] scratch = t_row is { } row && row.Length >= columns ? row : t_row = new float[Math.Max(columns, 64)];
        for (int r = 0; r < x.Length; r += columns)
        {
            ReadOnlySpan<float> xr = x.Slice(r, columns);
            Span<float> yr = y.Slice(r, columns);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Multiply(yr, invT, yr);
            if (log)
            {
                Span<float> e = scratch.AsSpan(0, columns);
                TensorPrimitives.Exp(yr, e);
                TensorPrimitives.Subtract(yr, MathF.Log(TensorPrimitives.Sum(e)), yr);
            }
            else
            {
                TensorPrimitives.Exp(yr, yr);
                TensorPrimitives.Multiply(yr, 1f / TensorPrimitives.Sum(yr), yr);
            }
        }
    }
}
