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
        int t = 1;
        while (4 * t * t <= _groupSize) t *= 2;
        bool tiled = version == GemmVersion.Tiled;
        int tile = t * version switch { GemmVersion.Tiled => 1, GemmVersion.RegisterBlocked => 4, _ => 8 }, depth = tiled ? t : Math.Max(t, 16);
        var shape = new GemmShape(m, n, k, ta ? 1 : 0, tb ? 1 : 0, alpha, beta, bias.IsEmpty ? 0 : 1, epilogue == Epilogue.Relu ? 1 : 0, depth);
        var config = new KernelConfig(new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile), new Index2D(t, t),
            SharedMemoryConfig.RequestDynamic<float>(depth * (2 * tile + 1)));
        var kernel = version switch { GemmVersion.Tiled => _kernels.GemmTiled, GemmVersion.RegisterBlocked => _kernels.GemmBlocked, _ => _kernels.GemmBlocked8 };
        kernel(config, cv, av, bv, biasView, shape);
    }

    /// <summary>
    /// Waits until every kernel and copy queued on this backend has finished. Benchmarks time with it; a training step
    /// needs none (the host waits where it reads numbers).
    /// </summary>
    public void Synchronize() => _accelerator.Synchronize();
}
