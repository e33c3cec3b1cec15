using ILGPU;
using ILGPU.Runtime;
using TinyKd.Gpu.Kernels;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

/// <summary>The GEMM kernels of the backend, side by side while they are compared (tests and benchmarks pick one).</summary>
public enum GemmVersion
{
    /// <summary>The shared-memory tiled kernel, one element of C per thread: the readable twin.</summary>
    Tiled,
    /// <summary>The register-blocked kernel, a 4×4 block of C per thread: what <c>ICompute.Gemm</c> runs.</summary>
    RegisterBlocked,
    /// <summary>The register-blocked kernel with an 8×8 block of C per thread (128×128 per group on a GPU): for large products.</summary>
    RegisterBlocked8,
}

public sealed partial class GpuCompute
{
    /// <inheritdoc />
    public void Gemm(Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        Gemm(GemmVersion.RegisterBlocked, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue);

    /// <summary><see cref="Gemm(Tensor, Tensor, Transpose, Tensor, Transpose, float, float, Tensor, Epilogue)"/> on a chosen kernel version.</summary>
    /// <exception cref="ArgumentException">A tensor of another backend, or shapes that do not multiply (named).</exception>
    public void Gemm(GemmVersion version, Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None)
    {
        ArrayView<float> cv = View(c, nameof(c)), av = View(a, nameof(a)), bv = View(b, nameof(b));
        ArrayView<float> biasView = View(bias, nameof(bias));
        var (m, n, k) = ComputeChecks.Gemm(c, a, transposeA, b, transposeB, bias);
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        if (m == 0 || n == 0) return;
        // T×T groups, T the largest power of two with T² ≤ min(256, the accelerator's group limit): 16 on a GPU, 4 on
        // ILGPU's default CPU accelerator. The blocked kernel steps along K by at least 16.
        int t = BlockedThreads();
        bool tiled = version == GemmVersion.Tiled;
        int tile = t * version switch { GemmVersion.Tiled => 1, GemmVersion.RegisterBlocked => 4, _ => 8 }, depth = tiled ? t : Math.Max(t, 16);
        var shape = new GemmShape(m, n, k, ta ? 1 : 0, tb ? 1 : 0, alpha, beta, bias.IsEmpty ? 0 : 1, epilogue == Epilogue.Relu ? 1 : 0, depth);
        var config = new KernelConfig(new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile), new Index2D(t, t),
            SharedMemoryConfig.RequestDynamic<float>(depth * (2 * tile + 1)));
        var kernel = version switch { GemmVersion.Tiled => _kernels.GemmTiled, GemmVersion.RegisterBlocked => _kernels.GemmBlocked, _ => _kernels.GemmBlocked8 };
        kernel(config, cv, av, bv, biasView, shape);
    }

    /// <summary>
    /// As <see cref="ICompute.GemmPair"/>: both products in one launch of the register-blocked kernel (a 1-D grid, the
    /// first product's tiles then the second's), each element computed as by its own <see cref="Gemm(Tensor, Tensor, Transpose, Tensor, Transpose, float, float, Tensor, Epilogue)"/>.
    /// </summary>
    public void GemmPair(Tensor c1, Tensor a1, Transpose transposeA1, Tensor b1, Transpose transposeB1, float beta1,
        Tensor c2, Tensor a2, Transpose transposeA2, Tensor b2, Transpose transposeB2, float beta2)
    {
        var first = new GemmOperands(View(c1, nameof(c1)), View(a1, nameof(a1)), View(b1, nameof(b1)), default);
        var second = new GemmOperands(View(c2, nameof(c2)), View(a2, nameof(a2)), View(b2, nameof(b2)), default);
        var (m1, n1, k1) = ComputeChecks.Gemm(c1, a1, transposeA1, b1, transposeB1, default);
        var (m2, n2, k2) = ComputeChecks.Gemm(c2, a2, transposeA2, b2, transposeB2, default);
        if (m1 == 0 || n1 == 0 || m2 == 0 || n2 == 0)
        {
            Gemm(c1, a1, transposeA1, b1, transposeB1, 1f, beta1);
            Gemm(c2, a2, transposeA2, b2, transposeB2, 1f, beta2);
            return;
        }
        int t = BlockedThreads(), tile = 4 * t, depth = Math.Max(t, 16);
        var s1 = new GemmShape(m1, n1, k1, transposeA1 == Transpose.Yes ? 1 : 0, transposeB1 == Transpose.Yes ? 1 : 0, 1f, beta1, 0, 0, depth);
        var s2 = new GemmShape(m2, n2, k2, transposeA2 == Transpose.Yes ? 1 : 0, transposeB2 == Transpose.Yes ? 1 : 0, 1f, beta2, 0, 0, depth);
        int groups1 = ((m1 + tile - 1) / tile) * ((n1 + tile - 1) / tile), groups2 = ((m2 + tile - 1) / tile) * ((n2 + tile - 1) / tile);
        var config = new KernelConfig(new Index2D(groups1 + groups2, 1), new Index2D(t, t), SharedMemoryConfig.RequestDynamic<float>(depth * (2 * tile + 1)));
        _kernels.GemmBlockedPair(config, first, s1, second, s2, groups1);
    }

    // T of the T×T groups: the largest power of two with T² ≤ min(256, the accelerator's group limit).
    private int BlockedThreads()
    {
        int t = 1;
        while (4 * t * t <= _groupSize) t *= 2;
        return t;
    }

    /// <summary>
    /// Waits until every kernel and copy queued on this backend has finished. Benchmarks time with it; a training step
    /// needs none (the host waits where it reads numbers).
    /// </summary>
    public void Synchronize() => _accelerator.Synchronize();
}
