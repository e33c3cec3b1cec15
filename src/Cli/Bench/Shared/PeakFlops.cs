using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Cli.Bench;

/// <summary>
/// This machine's FP32 fused-multiply-add peak, measured in-process rather than taken from a data sheet. The one
/// definition of the FMA loop: <c>tinykd bench</c> measures it here, and bench/'s GemmBenchmarks (which compiles this
/// file, src/Cli/Bench/Shared/, as a linked source) times <see cref="FmaLoop(long)"/> as its "FMA peak" case.
/// </summary>
/// <param name="SingleCoreGflops">One thread's FMA throughput, GFLOP/s (an FMA counts as 2 FLOPs per lane).</param>
/// <param name="AllCoresGflops">The same loop on <paramref name="Threads"/> threads at once, GFLOP/s in total.</param>
/// <param name="Threads">Threads of the all-core measurement.</param>
/// <param name="VectorBits">Width of the vectors the loop used: 512, 256, or 0 when the processor has no FMA.</param>
internal sealed record PeakFlops(double SingleCoreGflops, double AllCoresGflops, int Threads, int VectorBits)
{
    /// <summary>
    /// Independent accumulators of the loop. Twelve hide the FMA latency (4 cycles on Zen 4 and Intel cores) behind
    /// the two FMA pipes: 4 × 2 = 8 chains in flight suffice, 12 leave slack and still fit the 16 ymm registers of AVX2.
    /// </summary>
    public const int Accumulators = 12;

    /// <summary>Width of the vectors the loop uses here: 512 (AVX-512), 256 (AVX2 + FMA), or 0 when the processor has no FMA.</summary>
    public static int VectorBitsHere { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 512 : Fma.IsSupported && Avx.IsSupported ? 256 : 0;

    /// <summary>
    /// Runs <paramref name="iterations"/> iterations of the loop on this thread: <see cref="Accumulators"/> FMAs of
    /// <see cref="VectorBitsHere"/> bits each per iteration. Returns a sum that keeps the JIT from dropping the work.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The processor has no FMA (<see cref="VectorBitsHere"/> is 0).</exception>
    public static float FmaLoop(long iterations) => FmaLoop(iterations, VectorBitsHere);

    // The loop on vectors of the given width (512 or 256; at most VectorBitsHere).
    private static float FmaLoop(long iterations, int bits) => bits switch
    {
        512 => Loop512(iterations),
        256 => Loop256(iterations),
        _ => throw new PlatformNotSupportedException("The FMA peak loop needs AVX2 + FMA or AVX-512; this processor has neither."),
    };

    /// <summary>
    /// Runs the FMA loop for about <paramref name="seconds"/> per repetition and keeps the best of
    /// <paramref name="repetitions"/>, once on this thread and once on <paramref name="threads"/> threads together, on
    /// the vectors of the kernel path being measured (<paramref name="vectorBits"/>: 256 when AVX2 is forced on an
    /// AVX-512 machine, so its percentages refer to what 256-bit FMAs can do; on cores with two 512-bit FMA pipes
    /// that is half the 512-bit peak, on Zen 4 the same).
    /// </summary>
    public static PeakFlops Measure(double seconds, int repetitions, int threads, int vectorBits)
    {
        int bits = Math.Min(vectorBits, VectorBitsHere);
        if (bits == 0) return new PeakFlops(0, 0, threads, 0);
        double flopsPerIteration = Accumulators * (bits / 32) * 2.0;
        var (single, all) = BestRates(iterations => FmaLoop(iterations, bits), seconds, repetitions, threads);
        return new PeakFlops(single * flopsPerIteration / 1e9, all * flopsPerIteration / 1e9, threads, bits);
    }

    /// <summary>
    /// The best iterations per second of <paramref name="loop"/> (a measuring loop taking its iteration count) over
    /// <paramref name="repetitions"/> runs of about <paramref name="seconds"/> each: on one thread, and in total on
    /// <paramref name="threads"/> threads running it together.
    /// </summary>
    internal static (double Single, double All) BestRates(Func<long, float> loop, double seconds, int repetitions, int threads)
    {
        long iterations = Calibrate(loop, seconds);
        double single = 0, all = 0;
        for (int r = 0; r < repetitions; r++)
        {
            single = Math.Max(single, iterations / TimeOnThreads(loop, iterations, 1));
            all = Math.Max(all, (double)iterations * threads / TimeOnThreads(loop, iterations, threads));
        }
        return (single, all);
    }

    /// <summary>Iterations that take about <paramref name="seconds"/> on one thread (after a warm-up run).</summary>
    private static long Calibrate(Func<long, float> loop, double seconds)
    {
        long iterations = 1 << 16;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            loop(iterations);
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (elapsed >= 0.01 || iterations >= 1L << 40) return Math.Max(1, (long)(iterations * seconds / elapsed));
            iterations *= 4;
        }
    }

    /// <summary>Wall time of <paramref name="threads"/> threads each running the loop, from a common start.</summary>
    private static double TimeOnThreads(Func<long, float> loop, long iterations, int threads)
    {
        if (threads == 1)
        {
            long start = Stopwatch.GetTimestamp();
            loop(iterations);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        using var ready = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                ready.SignalAndWait();
                loop(iterations);
            }) { IsBackground = true };
            workers[t].Start();
        }
        ready.SignalAndWait();
        long begin = Stopwatch.GetTimestamp();
        foreach (Thread w in workers) w.Join();
        return Stopwatch.GetElapsedTime(begin).TotalSeconds;
    }

    /*
     * The measuring loops. Each keeps its twelve accumulators in registers (zmm/ymm 0–11 or so) with the multiplier
     * and addend in two more; every iteration issues twelve independent FMAs and nothing else but the loop counter.
     * They are plain static methods on purpose: a lambda or local function captures the accumulators in a closure
     * and the JIT then spills them to memory on every iteration. acc·0.9999 + 1e-4 converges to 1, so the values
     * stay normal (no denormal slow path) and the sum returned keeps the JIT from dropping the loop.
     */
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.9999f), a = Vector512.Create(1e-4f);
        Vector512<float> c0 = Vector512.Create(0.00f), c1 = Vector512.Create(0.01f), c2 = Vector512.Create(0.02f), c3 = Vector512.Create(0.03f);
        Vector512<float> c4 = Vector512.Create(0.04f), c5 = Vector512.Create(0.05f), c6 = Vector512.Create(0.06f), c7 = Vector512.Create(0.07f);
        Vector512<float> c8 = Vector512.Create(0.08f), c9 = Vector512.Create(0.09f), c10 = Vector512.Create(0.10f), c11 = Vector512.Create(0.11f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a);
            c1 = Avx512F.FusedMultiplyAdd(c1, m, a);
            c2 = Avx512F.FusedMultiplyAdd(c2, m, a);
            c3 = Avx512F.FusedMultiplyAdd(c3, m, a);
            c4 = Avx512F.FusedMultiplyAdd(c4, m, a);
            c5 = Avx512F.FusedMultiplyAdd(c5, m, a);
            c6 = Avx512F.FusedMultiplyAdd(c6, m, a);
            c7 = Avx512F.FusedMultiplyAdd(c7, m, a);
            c8 = Avx512F.FusedMultiplyAdd(c8, m, a);
            c9 = Avx512F.FusedMultiplyAdd(c9, m, a);
            c10 = Avx512F.FusedMultiplyAdd(c10, m, a);
            c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        Vector256<float> m = Vector256.Create(0.9999f), a = Vector256.Create(1e-4f);
        Vector256<float> c0 = Vector256.Create(0.00f), c1 = Vector256.Create(0.01f), c2 = Vector256.Create(0.02f), c3 = Vector256.Create(0.03f);
        Vector256<float> c4 = Vector256.Create(0.04f), c5 = Vector256.Create(0.05f), c6 = Vector256.Create(0.06f), c7 = Vector256.Create(0.07f);
        Vector256<float> c8 = Vector256.Create(0.08f), c9 = Vector256.Create(0.09f), c10 = Vector256.Create(0.10f), c11 = Vector256.Create(0.11f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a);
            c1 = Fma.MultiplyAdd(c1, m, a);
            c2 = Fma.MultiplyAdd(c2, m, a);
            c3 = Fma.MultiplyAdd(c3, m, a);
            c4 = Fma.MultiplyAdd(c4, m, a);
            c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a);
            c7 = Fma.MultiplyAdd(c7, m, a);
            c8 = Fma.MultiplyAdd(c8, m, a);
            c9 = Fma.MultiplyAdd(c9, m, a);
            c10 = Fma.MultiplyAdd(c10, m, a);
            c11 = Fma.MultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }
}
