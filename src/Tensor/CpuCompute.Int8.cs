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
        int m = x.Rank == 2 ? x.Shape[0] : -1, k = weight.InFeatures, n = weight.OutFeatures;
        if (x.Rank != 2 || x.Shape[1] != k)
            throw new ArgumentException($"Int8Linear input x {x.Shape} should be [B, {k}] for a [{n}, {k}] weight.", nameof(x));
        if (y.Rank != 2 || y.Shape[0] != m || y.Shape[1] != n)
            throw new ArgumentException($"Int8Linear output y {y.Shape} should be [{m}, {n}] for x {x.Shape} and a [{n}, {k}] weight.", nameof(y));
        if (!bias.IsEmpty)
        {
            ComputeChecks.Owned(this, bias, nameof(bias));
            if (bias.Length != n) throw new ArgumentException($"Int8Linear bias {bias.Shape} should have {n} elements.", nameof(bias));
        }
        if (m == 0) return;
        ActivationQuantization quantization = activation ?? ActivationQuantization.FromData(x.Span);
        int stride = weight.PaddedInFeatures;
        byte[] a = Grow(ref t_int8Activations, m * stride);
        int[] c = Grow(ref t_int8Products, m * weight.PaddedOutFeatures);
        KernelPath path = CpuKernels.Path;
        fixed (float* px = x.Span, py = y.Span, pb = bias.IsEmpty ? default : bias.Span, ps = weight.Scales)
        fixed (byte* pa = a)
        fixed (int* pc = c, sums = weight.RowSums)
        fixed (Int8Tile* tiles = weight.Tiles)
        {
            for (int i = 0; i < m; i++) Int8Activations.Quantize(path, px + (long)i * k, pa + (long)i * stride, k, quantization);
            var problem = new Int8Problem
            {
                A = pa, AStride = stride, M = m, N = n, Groups = weight.Groups, ZeroPoint = quantization.ZeroPoint,
                Tiles = tiles, RowSums = sums, C = pc, CStride = weight.PaddedOutFeatures,
                Y = py, ScaleW = ps, Bias = pb, ScaleA = quantization.Scale, Relu = epilogue == Epilogue.Relu,
            };
            Int8Gemm.Run(Int8Gemm.PathFor(path), CpuKernels.Threads, in problem);
        }
    }

    private static T[] Grow<T>(ref T[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = new T[length];
}
