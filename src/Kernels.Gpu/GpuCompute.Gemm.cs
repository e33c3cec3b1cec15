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
    /// <summary>The register-blocked kernel, a 4×4 block of C per thread (64×64 per group on a GPU).</summary>
    RegisterBlocked,
    /// <summary>The register-blocked kernel with an 8×8 block of C per thread (128×128 per group on a GPU): for large products.</summary>
    RegisterBlocked8,
    /// <summary>
    /// The 4×4 register-blocked kernel over slices of K (a third grid dimension), the slices' partial products then
    /// summed in order by a second launch: for products with too few tiles of C to fill the device.
    /// </summary>
    SplitK,
}

public sealed partial class GpuCompute
{
    /// <summary>
    /// As <see cref="ICompute.Gemm"/>, on the kernel <see cref="ChooseGemm(int, int, int)"/> picks for the shape. The split over K
    /// depends on the device's multiprocessor count, so a product's last bits may differ between GPU models (never
    /// between runs on one).
    /// </summary>
    public void Gemm(Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        Run(null, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue);

    /// <summary>
    /// The kernel <see cref="Gemm(Tensor, Tensor, Transpose, Tensor, Transpose, float, float, Tensor, Epilogue)"/> runs
    /// for an M×N×K product, by how many tiles of C there are per multiprocessor (measured on an H200, 132 of them; see
    /// src/Kernels.Gpu/README.md): 8×8 blocks where their 128×128 tiles fill every multiprocessor at least once; split K
    /// where even the 64×64 tiles of the 4×4 kernel fall short of that and K is long enough to share (at least 8
    /// steps); the 4×4 kernel otherwise.
    /// </summary>
    public GemmVersion ChooseGemm(int m, int n, int k) => ChooseGemm(m, n, k, BlockedThreads(), _accelerator.NumMultiprocessors);

    // The rule of ChooseGemm for T×T groups on `processors` multiprocessors.
    internal static GemmVersion ChooseGemm(int m, int n, int k, int t, int processors)
    {
        if (Tiles(m, n, 8 * t) >= processors) return GemmVersion.RegisterBlocked8;
        return Tiles(m, n, 4 * t) < processors && k >= 8 * t ? GemmVersion.SplitK : GemmVersion.RegisterBlocked;
    }

    private static int Tiles(int m, int n, int tile) => ((m + tile - 1) / tile) * ((n + tile - 1) / tile);

    // Slices of K for a split product of `tiles` tiles of C: about two groups per multiprocessor, at least two, at most
    // ⌈K/4T⌉ (a slice pays its tile loads and its partial's store for its steps), each a multiple of T long; every slice
    // holds some of K. K = 0 is one empty slice (its partial product is zeros).
    internal static (int Slices, int Length) SliceK(int tiles, int k, int t, int processors)
    {
        if (k == 0) return (1, t);
        int wanted = (2 * processors + tiles - 1) / tiles;
        int slices = Math.Clamp(wanted, 2, Math.Max(2, (k + 4 * t - 1) / (4 * t)));
        int length = ((k + slices - 1) / slices + t - 1) / t * t;
        return ((k + length - 1) / length, length);
    }

    /// <summary><see cref="Gemm(Tensor, Tensor, Transpose, Tensor, Transpose, float, float, Tensor, Epilogue)"/> on a chosen kernel version.</summary>
    /// <exception cref="ArgumentException">A tensor of another backend, or shapes that do not multiply (named).</exception>
    public void Gemm(GemmVersion version, Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        Run(version, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue);

    // One product on `version`, or on the one ChooseGemm picks for the checked shape when it is null.
    private void Run(GemmVersion? chosen, Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha, float beta, Tensor bias, Epilogue epilogue)
    {
        ArrayView<float> cv = View(c, nameof(c)), av = View(a, nameof(a)), bv = View(b, nameof(b));
        ArrayView<float> biasView = View(bias, nameof(bias));
        var (m, n, k) = ComputeChecks.Gemm(c, a, transposeA, b, transposeB, bias);
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        if (m == 0 || n == 0) return;
        // T×T groups, T the largest power of two with T² ≤ min(256, the accelerator's group limit): 16 on a GPU, 4 on
        // ILGPU's default CPU accelerator.
        int t = BlockedThreads();
        GemmVersion version = chosen ?? ChooseGemm(m, n, k, t, _accelerator.NumMultiprocessors);
        int tile = t * version switch { GemmVersion.Tiled => 1, GemmVersion.RegisterBlocked8 => 8, _ => 4 };
        var shape = new GemmShape(m, n, k, ta ? 1 : 0, tb ? 1 : 0, alpha, beta, bias.IsEmpty ? 0 : 1, epilogue == Epilogue.Relu ? 1 : 0);
        if (version == GemmVersion.SplitK)
        {
            GemmSplitK(cv, av, bv, biasView, shape, t);
            return;
        }
        var config = new KernelConfig(new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile), new Index2D(t, t),
            version == GemmVersion.Tiled ? SharedMemoryConfig.RequestDynamic<float>(2 * t * t) : SharedMemoryConfig.RequestDynamic<Row4>(BlockedSharedRow4s(t, tile)));
        var kernel = version switch { GemmVersion.Tiled => _kernels.GemmTiled, GemmVersion.RegisterBlocked => _kernels.GemmBlocked, _ => _kernels.GemmBlocked8 };
        kernel(config, cv, av, bv, biasView, shape);
    }

    // The two launches of a split product: the slices' partial products into scratch, then their ordered sums through
    // the epilogue into C.
    private void GemmSplitK(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape shape, int t)
    {
        int tile = 4 * t, tilesN = (shape.N + tile - 1) / tile, tilesM = (shape.M + tile - 1) / tile;
        var (slices, length) = SliceK(tilesN * tilesM, shape.K, t, _accelerator.NumMultiprocessors);
        ArrayView<float> partials = Scratch(slices * shape.M * shape.N);
        var config = new KernelConfig(new Index3D(tilesN, tilesM, slices), new Index3D(t, t, 1),
            SharedMemoryConfig.RequestDynamic<Row4>(BlockedSharedRow4s(t, tile)));
        _kernels.GemmBlockedSlices(config, partials, a, b, shape with { Alpha = 1f, Beta = 0f, HasBias = 0, Relu = 0 }, length);
        _kernels.GemmSumSlices(shape.M * shape.N, c, partials, bias, shape, slices);
    }

    /// <summary>
    /// As <see cref="ICompute.GemmPair"/>: both products in one launch of the 4×4 register-blocked kernel (a 1-D grid,
    /// the first product's tiles then the second's), each element computed as that kernel computes it alone — unless
    /// <see cref="ChooseGemm(int, int, int)"/> splits either product over K: then each is its own
    /// <see cref="Gemm(Tensor, Tensor, Transpose, Tensor, Transpose, float, float, Tensor, Epilogue)"/> call.
    /// </summary>
    public void GemmPair(Tensor c1, Tensor a1, Transpose transposeA1, Tensor b1, Transpose transposeB1, float beta1,
        Tensor c2, Tensor a2, Transpose transposeA2, Tensor b2, Transpose transposeB2, float beta2)
    {
        var first = new GemmOperands(View(c1, nameof(c1)), View(a1, nameof(a1)), View(b1, nameof(b1)), default);
        var second = new GemmOperands(View(c2, nameof(c2)), View(a2, nameof(a2)), View(b2, nameof(b2)), default);
        var (m1, n1, k1) = ComputeChecks.Gemm(c1, a1, transposeA1, b1, transposeB1, default);
        var (m2, n2, k2) = ComputeChecks.Gemm(c2, a2, transposeA2, b2, transposeB2, default);
        if (m1 == 0 || n1 == 0 || m2 == 0 || n2 == 0 || ChooseGemm(m1, n1, k1) == GemmVersion.SplitK || ChooseGemm(m2, n2, k2) == GemmVersion.SplitK)
        {
            Gemm(c1, a1, transposeA1, b1, transposeB1, 1f, beta1);
            Gemm(c2, a2, transposeA2, b2, transposeB2, 1f, beta2);
            return;
        }
        int t = BlockedThreads(), tile = 4 * t;
        var s1 = new GemmShape(m1, n1, k1, transposeA1 == Transpose.Yes ? 1 : 0, transposeB1 == Transpose.Yes ? 1 : 0, 1f, beta1, 0, 0);
        var s2 = new GemmShape(m2, n2, k2, transposeA2 == Transpose.Yes ? 1 : 0, transposeB2 == Transpose.Yes ? 1 : 0, 1f, beta2, 0, 0);
        int groups1 = Tiles(m1, n1, tile), groups2 = Tiles(m2, n2, tile);
        var config = new KernelConfig(new Index2D(groups1 + groups2, 1), new Index2D(t, t), SharedMemoryConfig.RequestDynamic<Row4>(BlockedSharedRow4s(t, tile)));
        _kernels.GemmBlockedPair(config, first, s1, second, s2, groups1);
    }

    // The register-blocked kernels' shared memory in Row4 units: two buffers of an op(A) and an op(B) tile, T rows of
    // tile + 4 floats each.
    private static int BlockedSharedRow4s(int t, int tile) => 2 * 2 * t * (tile + 4) / 4;

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
