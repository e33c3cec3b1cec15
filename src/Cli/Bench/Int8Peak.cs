using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Bench;

/// <summary>
/// This machine's int8 multiply-add peak through the instructions the int8 kernels use, measured in-process:
/// u8×s8 <c>vpmaddubsw</c> → <c>vpmaddwd</c> by 1 → <c>vpaddd</c>, the step of <c>Int8Gemm</c> (no VNNI
/// <c>vpdpbusd</c>: .NET 10 exposes it only where the CPU reports AVX-VNNI). Set against the FP32 FMA peak in
/// multiply-adds, it is the ceiling of an int8 GEMM's speedup over an fp32 GEMM that reaches the same share of its peak.
/// </summary>
/// <param name="SingleCoreGmacs">One thread's throughput, 10⁹ u8×s8 multiply-adds per second.</param>
/// <param name="AllCoresGmacs">The same loop on <paramref name="Threads"/> threads at once, in total.</param>
/// <param name="Threads">Threads of the all-core measurement.</param>
/// <param name="VectorBits">Width of the loop's vectors: 512 (AVX-512 BW), 256 (AVX2), or 0 on the scalar path.</param>
/// <param name="RatioToFp32">One core's int8 multiply-adds per second ÷ its FP32 FMA multiply-adds per second (GFLOP/s ÷ 2); one core, since
/// the all-core figures of a shared machine are the noisier; 0 when either is not measured.</param>
internal sealed record Int8Peak(double SingleCoreGmacs, double AllCoresGmacs, int Threads, int VectorBits, double RatioToFp32)
{
    // Six products per iteration, each with its own weight vector (identical expressions would be merged by the JIT)
    // and an activation vector that changes every iteration (one vpaddb; a loop-invariant product could be hoisted). The
    // accumulators depend on each other only through vpaddd (1 cycle), so six keep the multiply units busy, and 6 + 6 + 2
    // vectors fit the 16 ymm registers of AVX2.
    private const int Products = 6;

    /// <summary>Measures the loop of <paramref name="path"/> (the int8 kernels' path) like <see cref="PeakFlops.Measure"/>.</summary>
    public static Int8Peak Measure(KernelPath path, double seconds, int repetitions, int threads, PeakFlops fp32)
    {
        int bits = path == KernelPath.Avx512 ? 512 : path == KernelPath.Avx2 ? 256 : 0;
        if (bits == 0) return new Int8Peak(0, 0, threads, 0, 0);
        double macsPerIteration = Products * (bits / 8);
        var (single, all) = PeakFlops.BestRates(bits == 512 ? Loop512 : Loop256, seconds, repetitions, threads);
        double singleGmacs = single * macsPerIteration / 1e9;
        return new Int8Peak(singleGmacs, all * macsPerIteration / 1e9, threads, bits,
            fp32.SingleCoreGflops > 0 ? singleGmacs / (fp32.SingleCoreGflops / 2) : 0);
    }

    // Plain static methods with everything in registers, as PeakFlops' loops; int32 wrap-around costs nothing, so the
    // values never slow the loop down, and the sum returned keeps the JIT from dropping it.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        Vector512<byte> a = Vector512<byte>.One;
        Vector512<sbyte> w0 = Vector512.Create((sbyte)1), w1 = Vector512.Create((sbyte)2), w2 = Vector512.Create((sbyte)3);
        Vector512<sbyte> w3 = Vector512.Create((sbyte)4), w4 = Vector512.Create((sbyte)5), w5 = Vector512.Create((sbyte)6);
        Vector512<short> one = Vector512<short>.One;
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w0), one);
            c1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w1), one);
            c2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w2), one);
            c3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w3), one);
            c4 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w4), one);
            c5 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w5), one);
            a += Vector512<byte>.One;
        }
        return Vector512.Sum((c0 + c1) + (c2 + c3) + (c4 + c5));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        Vector256<byte> a = Vector256<byte>.One;
        Vector256<sbyte> w0 = Vector256.Create((sbyte)1), w1 = Vector256.Create((sbyte)2), w2 = Vector256.Create((sbyte)3);
        Vector256<sbyte> w3 = Vector256.Create((sbyte)4), w4 = Vector256.Create((sbyte)5), w5 = Vector256.Create((sbyte)6);
        Vector256<short> one = Vector256<short>.One;
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), one);
            c1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), one);
            c2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w2), one);
            c3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w3), one);
            c4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w4), one);
            c5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w5), one);
            a += Vector256<byte>.One;
        }
        return Vector256.Sum((c0 + c1) + (c2 + c3) + (c4 + c5));
    }
}
