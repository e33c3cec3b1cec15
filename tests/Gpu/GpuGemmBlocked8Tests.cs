using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.GpuComputeTests;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The 8×8 register-blocked GEMM against the CPU backend, in every transpose form with α, β, bias and ReLU, on shapes
// that end inside a thread's block, a group's tile (8·4 = 32 on ILGPU's CPU accelerator) and a step of K (16).
[Collection(IlgpuCpuCollection.Name)]
public class GpuGemmBlocked8Tests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

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
