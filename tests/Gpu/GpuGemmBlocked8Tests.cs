using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.GpuComputeTests;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The 8×8 register-blocked GEMM against the CPU backend, in every transpose form with α, β, bias and ReLU, on shapes
// that end inside a thread's block, a group's tile (8·4 = 32 on ILGPU's CPU accelerator) and a step of K (16); and
// the two backward products of a layer in one launch of the 4×4 kernel (GemmPair).
[Collection(IlgpuCpuCollection.Name)]
public class GpuGemmBlocked8Tests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

    // A layer's backward products through GemmPair: one launch, and each C bit for bit what its own Gemm call gives
    // (the register-blocked kernel computes every tile the same way wherever the launch places it).
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
        _gpu.Gemm(dx1, dyG, Transpose.No, wG, Transpose.No, 1f, betaX);
        _gpu.Gemm(dw1, dyG, Transpose.Yes, xG, Transpose.No, 1f, betaW);
        long launches = _gpu.KernelLaunches;
        _gpu.GemmPair(dx2, dyG, Transpose.No, wG, Transpose.No, betaX, dw2, dyG, Transpose.Yes, xG, Transpose.No, betaW);
        Assert.Equal(1, _gpu.KernelLaunches - launches);
        Assert.Equal(dx1.ToArray(), dx2.ToArray());
        Assert.Equal(dw1.ToArray(), dw2.ToArray());
        Tensor cpu = On(CpuCompute.Default, dx0);
        CpuCompute.Default.Gemm(cpu, dy, Transpose.No, w, Transpose.No, 1f, betaX);
        Check.Close(cpu.ToArray(), dx2.ToArray(), SumAtol, SumRtol, $"paired dX {batch}×{inputs}×{outputs}");
    }

    [Theory]
    [InlineData(Transpose.No, Transpose.No)]
    [InlineData(Transpose.Yes, Transpose.No)]
    [InlineData(Transpose.No, Transpose.Yes)]
    [InlineData(Transpose.Yes, Transpose.Yes)]
    public void Gemm_blocked_8x8_with_alpha_beta_bias_and_relu_matches_the_cpu(Transpose ta, Transpose tb)
    {
        foreach (var (m, n, k) in new[] { (3, 5, 1), (17, 33, 21), (33, 9, 47), (70, 40, 16), (1, 65, 3) })
        {
            Tensor a = Check.Random(61, -1f, 1f, ta == Transpose.Yes ? [k, m] : [m, k]);
            Tensor bm = Check.Random(62, -1f, 1f, tb == Transpose.Yes ? [n, k] : [k, n]);
            Tensor c0 = Check.Random(63, -1f, 1f, m, n), bias = Check.Random(64, -0.5f, 0.5f, n);
            foreach (bool fused in new[] { true, false })
            {
                var (alpha, beta, epilogue) = fused ? (0.75f, 0.5f, Epilogue.Relu) : (1f, 0f, Epilogue.None);
                Tensor cpu = On(CpuCompute.Default, c0), gpu = On(_gpu, c0);
                CpuCompute.Default.Gemm(cpu, a, ta, bm, tb, alpha, beta, fused ? bias : default, epilogue);
                _gpu.Gemm(GemmVersion.RegisterBlocked8, gpu, On(_gpu, a), ta, On(_gpu, bm), tb, alpha, beta, fused ? On(_gpu, bias) : default, epilogue);
                Check.Close(cpu.ToArray(), gpu.ToArray(), SumAtol, SumRtol, $"8×8 GEMM {m}×{n}×{k} {ta}/{tb}, α β bias ReLU {fused}");
            }
        }
    }
}
