using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

// The int8 primitives of the CPU backend: argument checks here, kernels in Cpu/Int8Gemm*.cs and Cpu/Int8Activations.cs.
public sealed partial class CpuCompute
{
    // Per-thread scratch for the u8 activations and the int32 products, grown on demand and then reused, so a warm
    // call allocates nothing and concurrent callers (one model serving many threads) never share a buffer.
    [ThreadStatic] private static byte[]? t_int8Activations;
    [ThreadStatic] private static int[]? t_int8Products;

    /// <inheritdoc />
    public unsafe void Int8Linear(Tensor y, Tensor x, Int8LinearWeight weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Check(y, nameof(y), x, nameof(x));
        int m = x.Rank == 2 ? x.Shape[0] : -1, k = weight.InFeatures;
        if (x.Rank != 2 || x.Shape[1] != k)
            throw new ArgumentException($"Int8Linear input x {x.Shape} should be [B, {k}] for a [{weight.OutFeatures}, {k}] weight.", nameof(x));
        CheckFloatOutput(y, m, x, weight, bias);
        if (m == 0) return;
        ActivationQuantization quantization = activation ?? ActivationQuantization.FromData(x.Span);
        int stride = weight.PaddedInFeatures;
        byte[] a = Grow(ref t_int8Activations, m * stride);
        KernelPath path = CpuKernels.Path;
        fixed (float* px = x.Span)
        fixed (byte* pa = a)
        {
            for (int i = 0; i < m; i++) Int8Activations.Quantize(path, px + (long)i * k, pa + (long)i * stride, k, quantization);
            RunInt8(pa, m, weight, quantization, bias, epilogue, y, null, default);
        }
    }

    /// <inheritdoc />
    public unsafe void Int8LinearU8(Tensor y, ReadOnlySpan<byte> x, Int8LinearWeight weight, ActivationQuantization input, Tensor bias = default,
        Epilogue epilogue = Epilogue.None)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ComputeChecks.Owned(this, y, nameof(y));
        int m = y.Rank == 2 ? y.Shape[0] : -1;
        if (m < 0 || (long)x.Length != (long)m * weight.PaddedInFeatures)
            throw new ArgumentException($"Int8LinearU8 input x has {x.Length} bytes; y {y.Shape} needs B rows of {weight.PaddedInFeatures} bytes ([B, {weight.InFeatures}] codes padded to a multiple of 4).", nameof(x));
        CheckFloatOutput(y, m, default, weight, bias);
        if (m == 0) return;
        fixed (byte* pa = x) RunInt8(pa, m, weight, input, bias, epilogue, y, null, default);
    }

    /// <inheritdoc />
    public unsafe void Int8LinearU8(Span<byte> y, ReadOnlySpan<byte> x, int batch, Int8LinearWeight weight, ActivationQuantization input,
        ActivationQuantization output, Tensor bias = default, Epilogue epilogue = Epilogue.None)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        int outStride = Int8LinearWeight.ActivationStride(weight.OutFeatures);
        if ((long)x.Length != (long)batch * weight.PaddedInFeatures)
            throw new ArgumentException($"Int8LinearU8 input x has {x.Length} bytes; batch {batch} of a [{weight.OutFeatures}, {weight.InFeatures}] weight needs {batch} × {weight.PaddedInFeatures}.", nameof(x));
        if ((long)y.Length != (long)batch * outStride)
            throw new ArgumentException($"Int8LinearU8 output y has {y.Length} bytes; batch {batch} of a [{weight.OutFeatures}, {weight.InFeatures}] weight needs {batch} × {outStride}.", nameof(y));
        CheckBias(bias, weight.OutFeatures);
        if (batch == 0) return;
        fixed (byte* pa = x, pq = y) RunInt8(pa, batch, weight, input, bias, epilogue, default, pq, output);
    }

    // The product of m rows of u8 codes at pa (rows PaddedInFeatures apart) with the weight, then the float epilogue
    // into y (when q is null) or the requantizing one into q (rows ActivationStride(Out) apart, quantization output).
    private unsafe void RunInt8(byte* pa, int m, Int8LinearWeight weight, ActivationQuantization input, Tensor bias, Epilogue epilogue,
        Tensor y, byte* q, ActivationQuantization output)
    {
        int[] c = Grow(ref t_int8Products, m * weight.PaddedOutFeatures);
        fixed (float* py = y.IsEmpty ? default : y.Span, pb = bias.IsEmpty ? default : bias.Span, ps = weight.Scales)
        fixed (int* pc = c, sums = weight.RowSums)
        fixed (Int8Tile* tiles = weight.Tiles)
        {
            var problem = new Int8Problem
            {
                A = pa, AStride = weight.PaddedInFeatures, M = m, N = weight.OutFeatures, Groups = weight.Groups, ZeroPoint = input.ZeroPoint,
                Tiles = tiles, RowSums = sums, C = pc, CStride = weight.PaddedOutFeatures,
                Y = py, ScaleW = ps, Bias = pb, ScaleA = input.Scale, Relu = epilogue == Epilogue.Relu,
                Q = q, QStride = Int8LinearWeight.ActivationStride(weight.OutFeatures),
                ZeroPointQ = output.ZeroPoint, InverseScaleQ = q == null ? 0f : 1f / output.Scale,
            };
            Int8Gemm.Run(Int8Gemm.PathFor(CpuKernels.Path), CpuKernels.Threads, in problem);
        }
    }

    // y must be [m, Out]; x (empty for u8 codes) only names the input in the message.
    private void CheckFloatOutput(Tensor y, int m, Tensor x, Int8LinearWeight weight, Tensor bias)
    {
        int n = weight.OutFeatures;
        if (y.Rank != 2 || y.Shape[0] != m || y.Shape[1] != n)
            throw new ArgumentException($"Int8Linear output y {y.Shape} should be [{m}, {n}] for x {(x.IsEmpty ? $"{m} rows of u8 codes" : x.Shape)} and a [{n}, {weight.InFeatures}] weight.", nameof(y));
        CheckBias(bias, n);
    }

    private void CheckBias(Tensor bias, int n)
    {
        if (bias.IsEmpty) return;
        ComputeChecks.Owned(this, bias, nameof(bias));
        if (bias.Length != n) throw new ArgumentException($"Int8Linear bias {bias.Shape} should have {n} elements.", nameof(bias));
    }

    private static T[] Grow<T>(ref T[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = new T[length];
}
