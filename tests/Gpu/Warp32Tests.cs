using ILGPU.Runtime.CPU;
using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.GpuComputeTests;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

/// <summary>
/// ILGPU's CPU accelerator shaped as an NVIDIA GPU (32-thread warps, eight per group): the backend then launches exactly
/// what it launches on CUDA (groups of 256, 16×16 GEMM thread tiles of 64 and 128 elements, 32-lane shuffles, eight
/// warps sharing a reduction), which the default accelerator (4-thread warps, groups of 16) never exercises. No GPU
/// runs in CI; this is the nearest a test gets to one. (ILGPU's own <c>CPUDeviceKind.Nvidia</c> has 32 warps per group,
/// 1,024 threads of the host where the backend's launches use 256.)
/// </summary>
public sealed class Warp32Fixture() : IlgpuCpuFixture(GpuCompute.CreateIlgpuCpu(new CPUDevice(32, 8, 1)));

/// <summary>The test classes over <see cref="Warp32Fixture"/> share it and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class Warp32Collection : ICollectionFixture<Warp32Fixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "ILGPU CPU accelerator shaped as a CUDA GPU";
}

[Collection(Warp32Collection.Name)]
public sealed class Warp32ShapeTests(Warp32Fixture fixture)
{
    [Fact]
    public void The_accelerator_launches_as_a_cuda_gpu_does()
    {
        Assert.Equal(32, fixture.Gpu.WarpSize);
        Assert.Equal(256, fixture.Gpu.GroupSize);
    }

    // Groups of 16×16 threads own 16, 64 and 128 elements a side and step K by 16: products spanning several tiles
    // each way with ragged edges, which the default accelerator's 4×4 groups cover only at a quarter of the size.
    [Theory]
    [InlineData(GemmVersion.Tiled)]
    [InlineData(GemmVersion.RegisterBlocked)]
    [InlineData(GemmVersion.RegisterBlocked8)]
    [InlineData(GemmVersion.SplitK)]
    public void Every_gemm_version_matches_the_cpu_across_several_cuda_sized_tiles(GemmVersion version)
    {
        foreach (var (m, n, k) in new[] { (130, 257, 35), (129, 17, 16) })
            foreach (Transpose ta in new[] { Transpose.No, Transpose.Yes })
                foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                {
                    Tensor a = Check.Random(71, -1f, 1f, ta == Transpose.Yes ? [k, m] : [m, k]);
                    Tensor b = Check.Random(72, -1f, 1f, tb == Transpose.Yes ? [n, k] : [k, n]);
                    Tensor c0 = Check.Random(73, -1f, 1f, m, n), bias = Check.Random(74, -0.5f, 0.5f, n);
                    Tensor cpu = On(CpuCompute.Default, c0), gpu = On(fixture.Gpu, c0);
                    CpuCompute.Default.Gemm(cpu, a, ta, b, tb, 0.75f, 0.5f, bias, Epilogue.Relu);
                    fixture.Gpu.Gemm(version, gpu, On(fixture.Gpu, a), ta, On(fixture.Gpu, b), tb, 0.75f, 0.5f, On(fixture.Gpu, bias), Epilogue.Relu);
                    Check.Close(cpu.ToArray(), gpu.ToArray(), SumAtol, SumRtol, $"{version} {m}×{n}×{k} {ta}/{tb}");
                }
    }
}

// Every kernel test of the ILGPU backend again, on the accelerator shaped as a CUDA GPU, and the short training and
// distillation runs. (The recommender's runs are left out, 31 s here: their kernels, the embedding ones and the
// losses' row and reduction kernels, are all in the classes below.)
[Collection(Warp32Collection.Name)]
public sealed class GpuComputeWarp32Tests(Warp32Fixture fixture) : GpuComputeTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuEmbeddingWarp32Tests(Warp32Fixture fixture) : GpuEmbeddingTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuGemmWarp32Tests(Warp32Fixture fixture) : GpuGemmTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuGroupedEmbeddingBackwardWarp32Tests(Warp32Fixture fixture) : GpuGroupedEmbeddingBackwardTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuLaunchCountWarp32Tests(Warp32Fixture fixture) : GpuLaunchCountTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuLossAndOptimizerWarp32Tests(Warp32Fixture fixture) : GpuLossAndOptimizerTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuModuleMoveWarp32Tests(Warp32Fixture fixture) : GpuModuleMoveTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuMultiTensorOptimizerWarp32Tests(Warp32Fixture fixture) : GpuMultiTensorOptimizerTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuTrainingWarp32Tests(Warp32Fixture fixture) : GpuTrainingTests(fixture);

[Collection(Warp32Collection.Name)]
public sealed class GpuWarpReductionWarp32Tests(Warp32Fixture fixture) : GpuWarpReductionTests(fixture);
