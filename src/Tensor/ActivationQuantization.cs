using System.Runtime.InteropServices;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

/// <summary>
/// Asymmetric per-tensor u8 quantization of activations: q = clamp(round(x·(1/scale)) + zeroPoint, 0, 255) and
/// x ≈ (q − zeroPoint)·scale. The range always contains 0, which is then exactly representable (ReLU outputs and
/// zero padding stay exact).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly struct ActivationQuantization
{
    /// <summary>The step between adjacent codes (&gt; 0).</summary>
    public float Scale { get; }

    /// <summary>The code of 0.</summary>
    public byte ZeroPoint { get; }

    /// <summary>A quantization with the given step and zero code.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is not finite and positive.</exception>
    public ActivationQuantization(float scale, byte zeroPoint)
    {
        if (!(scale > 0f) || !float.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), $"Activation scale must be finite and positive; got {scale}.");
        Scale = scale;
        ZeroPoint = zeroPoint;
    }

    /// <summary>
    /// The quantization that covers [min(<paramref name="min"/>, 0), max(<paramref name="max"/>, 0)] with 256 codes:
    /// scale = range / 255, zeroPoint = round(−min / scale). An empty range (both 0) gives scale 1, zero point 0.
    /// Every x in the range dequantizes to within scale / 2 of itself.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is not finite, or <paramref name="min"/> &gt; <paramref name="max"/>.</exception>
    public static ActivationQuantization FromRange(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
            throw new ArgumentException($"Activation range must be finite with min ≤ max; got [{min}, {max}].", nameof(min));
        float lo = Math.Min(min, 0f), hi = Math.Max(max, 0f);
        if (hi == lo) return new ActivationQuantization(1f, 0);
        float scale = (hi - lo) / 255f;
        if (!(scale > 0f)) scale = float.Epsilon;
        return new ActivationQuantization(scale, (byte)Math.Clamp(MathF.Round(-lo / scale), 0f, 255f));
    }

    /// <summary>The dynamic quantization of a batch: <see cref="FromRange"/> over its minimum and maximum.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> holds a NaN or an infinity.</exception>
    public static unsafe ActivationQuantization FromData(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return new ActivationQuantization(1f, 0);
        float min, max;
        bool finite;
        fixed (float* x = values) finite = Int8Activations.Range(CpuKernels.Path, x, values.Length, out min, out max);
        if (!finite)
            throw new ArgumentException($"'values' ({values.Length} floats) hold a NaN or an infinity (range [{min}, {max}]); quantization needs finite values.", nameof(values));
        return FromRange(min, max);
    }

    /// <summary>Quantizes <paramref name="x"/> into <paramref name="q"/> (same length) on the current kernel path.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public unsafe void Quantize(ReadOnlySpan<float> x, Span<byte> q)
    {
        if (x.Length != q.Length) throw new ArgumentException($"'q' has {q.Length} bytes for {x.Length} values of 'x'.", nameof(q));
        fixed (float* px = x)
        fixed (byte* pq = q)
            Int8Activations.Quantize(CpuKernels.Path, px, pq, x.Length, this);
    }

    /// <summary>Dequantizes <paramref name="q"/> into <paramref name="x"/> (same length) on the current kernel path.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public unsafe void Dequantize(ReadOnlySpan<byte> q, Span<float> x)
    {
        if (x.Length != q.Length) throw new ArgumentException($"'x' has {x.Length} values for {q.Length} bytes of 'q'.", nameof(x));
        fixed (float* px = x)
        fixed (byte* pq = q)
            Int8Activations.Dequantize(CpuKernels.Path, pq, px, x.Length, this);
    }

    /// <inheritdoc />
    public override string ToString() => $"u8(scale {Scale}, zero point {ZeroPoint})";
}
