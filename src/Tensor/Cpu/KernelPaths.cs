using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>The instruction-set paths a CPU kernel can take, widest last.</summary>
public enum KernelPath
{
    /// <summary>Plain scalar C#: the portable fallback and the reference for the vector paths.</summary>
    Scalar,
    /// <summary>256-bit AVX2 with FMA.</summary>
    Avx2,
    /// <summary>512-bit AVX-512 (F, BW, VL).</summary>
    Avx512,
}

/// <summary>
/// Which kernel path and how many threads the CPU backend uses. Both are chosen once at start-up — the widest path
/// the processor supports and one thread per core — and can be overridden by the environment variables
/// <c>TINYKD_KERNELS</c> (avx512, avx2 or scalar) and <c>TINYKD_THREADS</c>, or by setting the properties (tests
/// and benchmarks use that to run every path on one machine).
/// </summary>
public static class CpuKernels
{
    /// <summary>The widest path this processor supports.</summary>
    public static KernelPath Best { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512F.VL.IsSupported ? KernelPath.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? KernelPath.Avx2
        : KernelPath.Scalar;

    // Static initialisers run in text order: these two read Best, so they must come after it.
    private static KernelPath s_path = PathFor(Environment.GetEnvironmentVariable("TINYKD_KERNELS"));
    private static int s_threads = ThreadsFromEnvironment() ?? Environment.ProcessorCount;

    /// <summary>The path the kernels take now.</summary>
    /// <exception cref="NotSupportedException">The processor (or the runtime's settings) does not support that path.</exception>
    public static KernelPath Path
    {
        get => s_path;
        set
        {
            if (!IsSupported(value)) throw new NotSupportedException($"Kernel path {value} is not supported here; the widest is {Best}.");
            s_path = value;
        }
    }

    /// <summary>Threads the parallel kernels use (≥ 1).</summary>
    public static int Threads
    {
        get => s_threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            s_threads = value;
        }
    }

    /// <summary>True when <paramref name="path"/> can run on this processor.</summary>
    public static bool IsSupported(KernelPath path) => path <= Best;

    /// <summary>Every path this processor supports, narrowest first.</summary>
    public static IReadOnlyList<KernelPath> Supported { get; } = Enum.GetValues<KernelPath>().Where(p => p <= Best).ToArray();

    /// <summary>
    /// The GEMM's register tile and cache blocking on <paramref name="path"/>, the caches they were derived from, and
    /// whether the driver prefetches the next block's source (on AMD, not on Intel: docs/gemm.md), e.g. "12×32 tile,
    /// KC 512, NC 256, MC 4092 from L1d 32 KiB, L2 1024 KiB, L3 32 MiB shared by 2 (sysfs); next-block source
    /// prefetch on".
    /// </summary>
    public static string DescribeGemm(KernelPath path) => path switch
    {
        KernelPath.Avx512 => GemmBlocking<GemmAvx512>.Description,
        KernelPath.Avx2 => GemmBlocking<GemmAvx2>.Description,
        _ => GemmBlocking<GemmScalar>.Description,
    } + $" from {CpuCaches.Current}; next-block source prefetch {(Gemm.PrefetchesNextSource ? "on" : "off")}";

    /// <summary>The start-up path for a <c>TINYKD_KERNELS</c> value: <see cref="Best"/> when it is null or empty.</summary>
    /// <exception cref="InvalidOperationException">The value names no path, or one this processor lacks.</exception>
    internal static KernelPath PathFor(string? value)
    {
        if (string.IsNullOrEmpty(value)) return Best;
        if (!Enum.TryParse(value, ignoreCase: true, out KernelPath path) || !Enum.IsDefined(path))
            throw new InvalidOperationException($"TINYKD_KERNELS='{value}' is not one of avx512, avx2, scalar.");
        return path <= Best ? path : throw new InvalidOperationException($"TINYKD_KERNELS='{value}' is not supported here; the widest path is {Best}.");
    }

    private static int? ThreadsFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable("TINYKD_THREADS");
        if (string.IsNullOrEmpty(value)) return null;
        return int.TryParse(value, out int n) && n >= 1 ? n : throw new InvalidOperationException($"TINYKD_THREADS='{value}' is not a positive integer.");
    }
}
