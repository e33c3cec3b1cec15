using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.GpuComputeTests;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The 8×8 register-blocked and the split-K GEMMs against the CPU backend, in every transpose form with α, β, bias and
// ReLU, on shapes that end inside a thread's block, a group's tile (8·4 = 32 on ILGPU's CPU accelerator), a step of K
// and a slice of K; the two backward products of a layer in one launch of the 4×4 kernel (GemmPair); the rule that
// picks a kernel per shape. (GpuComputeTests covers the tiled and 4×4 kernels.)
[Collection(IlgpuCpuCollection.Name)]
public class GpuGemmTests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

    // A layer's backward products through GemmPair: one launch, and each C bit for bit what the 4×4 kernel gives alone
    // (it computes every tile the same way wherever the launch places it).
    [Theory]
    [InlineData(5, 12, 9, 0f, 0f)]
    [InlineData(70, 33, 130, 1f, 0f)]
    [InlineData(3, 200, 17, 0f, 1f)]
    public void Gemm_pair_equals_two_gemm_calls_bit_for_bit_in_one_launch(int batch, int outputs, int inputs, float betaX, float betaW)
    {
        Tensor dy = Check.Random(65, -1f, 1f, batch, outputs), w = Check.Random(66, -1f, 1f, outputs, inputs);
        Tensor x = Check.Random(67, -1f, 1f, batch, inputs), dx0 = Check.Random(68, -1f, 1f, batch, inputs), dw0 = Check.Random(69, -1f, 1f, outputs, inputs);
        Tensor dx1 = On(_gpu, dx0), dw1 = On(_gpu, dw0), dx2 = On(_gpu, dx0), dw2 = On(_gpu, dw0);
        Tensor dyG = On(_gpu, dy), wG = On(_gpu, w), xG = On(_gpu, x);
        _gpu.Gemm(GemmVersion.RegisterBlocked, dx1, dyG, Transpose.No, wG, Transpose.No, 1f, betaX);
        _gpu.Gemm(GemmVersion.RegisterBlocked, dw1, dyG, Transpose.Yes, xG, Transpose.No, 1f, betaW);
        long launches = _gpu.KernelLaunches;
        _gpu.GemmPair(dx2, dyG, Transpose.No, wG, Transpose.No, betaX, dw2, dyG, Transpose.Yes, xG, Transpose.No, betaW);
        Assert.Equal(1, _gpu.KernelLaunches - launches);
        Assert.Equal(dx1.ToArray(), dx2.ToArray());
        Assert.Equal(dw1.ToArray(), dw2.ToArray());
        Tensor cpu = On(CpuCompute.Default, dx0);
        CpuCompute.Default.Gemm(cpu, dy, Transpose.No, w, Transpose.No, 1f, betaX);
        Check.Close(cpu.ToArray(), dx2.ToArray(), SumAtol, SumRtol, $"paired dX {batch}×{inputs}×{outputs}");
    }

    // K from 0 to several slices with a ragged last one.
    [Theory]
    [InlineData(GemmVersion.RegisterBlocked8, Transpose.No, Transpose.No)]
    [InlineData(GemmVersion.RegisterBlocked8, Transpose.Yes, Transpose.No)]
    [InlineData(GemmVersion.RegisterBlocked8, Transpose.No, Transpose.Yes)]
    [InlineData(GemmVersion.RegisterBlocked8, Transpose.Yes, Transpose.Yes)]
    [InlineData(GemmVersion.SplitK, Transpose.No, Transpose.No)]
    [InlineData(GemmVersion.SplitK, Transpose.Yes, Transpose.No)]
    [InlineData(GemmVersion.SplitK, Transpose.No, Transpose.Yes)]
    [InlineData(GemmVersion.SplitK, Transpose.Yes, Transpose.Yes)]
    public void Gemm_8x8_and_split_k_with_alpha_beta_bias_and_relu_match_the_cpu(GemmVersion version, Transpose ta, Transpose tb)
    {
        foreach (var (m, n, k) in new[] { (3, 5, 1), (17, 33, 21), (33, 9, 47), (70, 40, 16), (1, 65, 3), (17, 33, 70), (1, 65, 130), (4, 6, 0) })
        {
            Tensor a = Check.Random(61, -1f, 1f, ta == Transpose.Yes ? [k, m] : [m, k]);
            Tensor bm = Check.Random(62, -1f, 1f, tb == Transpose.Yes ? [n, k] : [k, n]);
            Tensor c0 = Check.Random(63, -1f, 1f, m, n), bias = Check.Random(64, -0.5f, 0.5f, n);
            foreach (bool fused in new[] { true, false })
            {
                var (alpha, beta, epilogue) = fused ? (0.75f, 0.5f, Epilogue.Relu) : (1f, 0f, Epilogue.None);
                Tensor cpu = On(CpuCompute.Default, c0), gpu = On(_gpu, c0);
                CpuCompute.Default.Gemm(cpu, a, ta, bm, tb, alpha, beta, fused ? bias : default, epilogue);
                long launches = _gpu.KernelLaunches;
                _gpu.Gemm(version, gpu, On(_gpu, a), ta, On(_gpu, bm), tb, alpha, beta, fused ? On(_gpu, bias) : default, epilogue);
                Assert.Equal(version == GemmVersion.SplitK ? 2 : 1, _gpu.KernelLaunches - launches);
                Check.Close(cpu.ToArray(), gpu.ToArray(), SumAtol, SumRtol, $"{version} GEMM {m}×{n}×{k} {ta}/{tb}, α β bias ReLU {fused}");
            }
        }
    }

    // The shapes of the teacher's step and of the SGEMM benchmark on an H200 (16×16 groups, 132 multiprocessors).
    [Theory]
    [InlineData(4096, 4096, 4096, GemmVersion.RegisterBlocked8)]
    [InlineData(2048, 2048, 2048, GemmVersion.RegisterBlocked8)]
    [InlineData(1024, 1024, 1024, GemmVersion.RegisterBlocked)]
    [InlineData(1200, 1200, 128, GemmVersion.RegisterBlocked)]
    [InlineData(128, 1200, 1200, GemmVersion.SplitK)]
    [InlineData(128, 784, 1200, GemmVersion.SplitK)]
    [InlineData(128, 10, 1200, GemmVersion.SplitK)]
    [InlineData(128, 10, 100, GemmVersion.RegisterBlocked)]
    public void The_kernel_is_chosen_by_tiles_per_multiprocessor(int m, int n, int k, GemmVersion expected) =>
        Assert.Equal(expected, GpuCompute.ChooseGemm(m, n, k, 16, 132));

    [Fact]
    public void Slices_of_k_are_multiples_of_the_step_and_each_holds_some_of_k()
    {
        Assert.Equal((7, 176), GpuCompute.SliceK(38, 1200, 16, 132));
        Assert.Equal((1, 16), GpuCompute.SliceK(38, 0, 16, 132));
        foreach (int t in new[] { 4, 16 })
            foreach (int tiles in new[] { 1, 7, 38, 500 })
                for (int k = 1; k <= 300; k++)
                {
                    var (slices, length) = GpuCompute.SliceK(tiles, k, t, 132);
                    Assert.True(length % t == 0 && slices >= 1, $"k {k}, t {t}: {slices} slices of {length}");
                    Assert.True((slices - 1) * length < k && k <= slices * length, $"k {k}, t {t}: {slices} slices of {length}");
                }
    }
}

