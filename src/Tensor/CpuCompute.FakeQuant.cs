using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

// Fake quantization for quantization-aware training: the activation quantizer and dequantizer of the int8 kernels
// (Cpu/Int8Activations.cs, vector paths equal to the plain loops bit for bit) run back to back, and weight rows go
// through Int8LinearWeight's own scale and code functions, so training sees exactly the numbers int8 serving computes with.
public sealed partial class CpuCompute
{
    [ThreadStatic] private static byte[]? t_fakeQuantCodes;

    /// <inheritdoc />
    public unsafe ActivationQuantization FakeQuantize(Tensor y, Tensor x, ActivationQuantization? quantization = null)
    {
        Check(y, nameof(y), x, nameof(x));
        ComputeChecks.SameLength(y, nameof(y), x, nameof(x));
        int n = x.Length;
        if (n == 0) return quantization ?? new ActivationQuantization(1f, 0);
        KernelPath path = CpuKernels.Path;
        byte[] codes = Grow(ref t_fakeQuantCodes, n);
        fixed (float* px = x.Span, py = y.Span)
        fixed (byte* pq = codes)
        {
            if (!Int8Activations.Range(path, px, n, out float min, out float max))
                throw new ArgumentException($"FakeQuantize input x {x.Shape} holds a NaN or an infinity (range [{min}, {max}]); quantization needs finite values.", nameof(x));
            ActivationQuantization q = quantization ?? ActivationQuantization.FromRange(min, max);
            Int8Activations.Quantize(path, px, pq, n, q);
            Int8Activations.Dequantize(path, pq, py, n, q);
            return q;
        }
    }

    /// <inheritdoc />
    public void FakeQuantizeBackward(Tensor dx, Tensor x, Tensor dy, ActivationQuantization quantization)
    {
        Check(dx, nameof(dx), x, nameof(x));
        ComputeChecks.Owned(this, dy, nameof(dy));
        ComputeChecks.SameLength(dx, nameof(dx), x, nameof(x));
        ComputeChecks.SameLength(dy, nameof(dy), x, nameof(x));
        ReadOnlySpan<float> xs = x.Span, gs = dy.Span;
        Span<float> ds = dx.Span;
        float inverse = 1f / quantization.Scale, zero = quantization.ZeroPoint;
        for (int i = 0; i < xs.Length; i++)
        {
            float code = MathF.Round(xs[i] * inverse) + zero;
            if (code >= 0f && code <= 255f) ds[i] += gs[i];
        }
    }

    /// <inheritdoc />
    public void FakeQuantizeRows(Tensor y, Tensor x)
    {
        Check(y, nameof(y), x, nameof(x));
        if (x.Rank != 2) throw new ArgumentException($"FakeQuantizeRows takes a weight [Out, In]; got x {x.Shape}.", nameof(x));
        ComputeChecks.SameShape(y, nameof(y), x, nameof(x));
        int rows = x.Shape[0], columns = x.Shape[1];
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span;
        for (int o = 0; o < rows; o++)
        {
            ReadOnlySpan<float> row = xs.Slice(o * columns, columns);
            Span<float> output = ys.Slice(o * columns, columns);
            float scale = Int8LinearWeight.RowScale(row, o, rows, nameof(x));
            for (int i = 0; i < columns; i++) output[i] = Int8LinearWeight.Code(row[i], scale) * scale;
        }
    }
}
