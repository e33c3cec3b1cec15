using TinyKd.Tensors.Cpu;
using Xunit;

namespace TinyKd.Tests.Tensors;

// The GEMM's cache blocking is derived from the caches the machine reports: the parsing of what sysfs and CPUID say,
// the fallbacks when they say nothing plausible, and the rules that turn sizes into KC, NC and MC.
public sealed class GemmBlockingTests : IDisposable
{
    private const long KiB = 1024, MiB = 1024 * KiB;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"tinykd-caches-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("32K", 32 * KiB)]
    [InlineData("1024K", 1024 * KiB)]
    [InlineData("32M", 32 * MiB)]
    [InlineData("512", 512)]
    [InlineData("", 0)]
    public void Sysfs_sizes_are_read_with_their_unit(string text, long bytes) =>
        Assert.Equal(bytes, CpuCaches.ParseSize(text));

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-1", 2)]
    [InlineData("0-7,16-23", 16)]
    [InlineData("0,2,4-5", 4)]
    public void Shared_cpu_lists_are_counted(string list, int cpus) => Assert.Equal(cpus, CpuCaches.CountCpus(list));

    [Fact]
    public void A_sysfs_cache_directory_gives_each_level_and_the_l3_sharing()
    {
        WriteIndex("index0", "1", "Data", "48K", "0");
        WriteIndex("index1", "1", "Instruction", "32K", "0");
        WriteIndex("index2", "2", "Unified", "2048K", "0");
        WriteIndex("index3", "3", "Unified", "105M", "0-7");
        CpuCaches? caches = CpuCaches.FromSysfs(_directory);
        Assert.Equal(new CpuCaches(48 * KiB, 2 * MiB, 105 * MiB, 8, "sysfs"), caches);
        Assert.Equal(105 * MiB / 8, caches!.L3PerThread);
    }

    [Fact]
    public void A_missing_or_empty_sysfs_directory_gives_nothing()
    {
        Assert.Null(CpuCaches.FromSysfs(_directory));
        Directory.CreateDirectory(_directory);
        Assert.Null(CpuCaches.FromSysfs(_directory));
    }

    [Fact]
    public void An_unreadable_size_falls_back_instead_of_throwing()
    {
        WriteIndex("index0", "1", "Data", "lots", "0");
        Assert.Null(CpuCaches.FromSysfs(_directory));
    }

    // Linux fills sysfs from the same CPUID leaves, so on an x86 Linux machine the two readings must agree on the sizes
    // (the L3's sharing differs by design: CPUID counts the package's logical processors, sysfs the ones present).
    [Fact]
    public void Cpuid_reads_the_same_cache_sizes_as_linux_does()
    {
        CpuCaches? sysfs = CpuCaches.FromSysfs("/sys/devices/system/cpu/cpu0/cache"), cpuid = CpuCaches.FromCpuid();
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported)
        {
            Assert.Null(cpuid);
            return;
        }
        Assert.NotNull(cpuid);
        if (sysfs is null) return; // not Linux: nothing to compare with
        Assert.Equal((sysfs.L1Data, sysfs.L2, sysfs.L3), (cpuid!.L1Data, cpuid.L2, cpuid.L3));
        Assert.True(cpuid.L3Sharing >= 1);
    }

    [Fact]
    public void Implausible_sizes_take_the_defaults_level_by_level()
    {
        CpuCaches caches = CpuCaches.Sanitized(l1: 1, l2: 512 * KiB, l3: 1L << 50, sharing: 0, "cpuid");
        Assert.Equal(CpuCaches.Defaults.L1Data, caches.L1Data);
        Assert.Equal(512 * KiB, caches.L2);
        Assert.Equal(CpuCaches.Defaults.L3, caches.L3);
        Assert.Equal(1, caches.L3Sharing);
        Assert.Equal(caches.L2, CpuCaches.Sanitized(32 * KiB, caches.L2, 0, 1, "cpuid").L3PerThread);
    }

    // The figures quoted in GemmBlocking's remarks, for the three CPU families the project runs on and a Xeon.
    [Theory]
    [InlineData(12, 32, 32, 1024, 32, 2, 512, 256, 4092)]  // AVX-512 on Zen 4
    [InlineData(6, 16, 32, 1024, 32, 2, 512, 256, 4092)]   // AVX2 forced on Zen 4
    [InlineData(6, 16, 32, 512, 32, 2, 512, 128, 4092)]    // AVX2 on Zen 3
    [InlineData(12, 32, 48, 2048, 105, 56, 512, 512, 480)] // AVX-512 on Sapphire Rapids (L3 shared by 56)
    [InlineData(4, 4, 32, 256, 2, 1, 512, 64, 512)]        // scalar on the defaults
    public void Blocking_follows_the_caches(int mr, int nr, int l1KiB, int l2KiB, int l3MiB, int sharing, int kc, int nc, int mc)
    {
        var caches = new CpuCaches(l1KiB * KiB, l2KiB * KiB, l3MiB * MiB, sharing, "test");
        Assert.Equal(new GemmBlocking(kc, nc, mc), GemmBlocking.For(mr, nr, caches));
    }

    [Theory]
    [InlineData(12, 32)]
    [InlineData(6, 16)]
    [InlineData(4, 4)]
    public void Every_block_fits_its_cache_and_the_kernels_steps(int mr, int nr)
    {
        foreach (long l1 in new[] { 16 * KiB, 32 * KiB, 48 * KiB, 64 * KiB })
            foreach (long l2 in new[] { 256 * KiB, 512 * KiB, 1 * MiB, 2 * MiB })
                foreach (long l3 in new[] { 0L, 4 * MiB, 32 * MiB })
                {
                    var caches = new CpuCaches(l1, l2, l3, 2, "test");
                    GemmBlocking b = GemmBlocking.For(mr, nr, caches);
                    string what = $"MR×NR {mr}×{nr}, {caches}: {b}";
                    Assert.True(b.KC % 16 == 0 && b.KC is >= 64 and <= 512, what);
                    Assert.True((long)mr * b.KC * sizeof(float) <= l1 * 3 / 4 || b.KC == 64, what);
                    Assert.True(b.NC % nr == 0 && (b.NC == 2 * nr || (long)b.KC * b.NC * sizeof(float) <= l2 / 2), what);
                    Assert.True(b.MC % mr == 0 && b.MC >= 8 * mr && b.MC <= 4096, what);
                }
    }

    [Fact]
    public void The_machines_own_caches_are_plausible_and_described()
    {
        CpuCaches caches = CpuCaches.Current;
        Assert.InRange(caches.L1Data, 4 * KiB, 4 * MiB);
        Assert.InRange(caches.L2, 64 * KiB, 64 * MiB);
        Assert.Contains("tile, KC", CpuKernels.DescribeGemm(CpuKernels.Path));
        Assert.Contains("next-block source prefetch " + (CpuFamily.Vendor == "Intel" ? "off" : "on"), CpuKernels.DescribeGemm(CpuKernels.Path));
    }

    [Fact]
    public void Only_a_gemv_streaming_b_past_l2_leaves_avx512_and_only_on_cores_that_split_wide_vectors()
    {
        Assert.Equal(KernelPath.Avx512, Gemm.PathFor(KernelPath.Avx512, 128, 1200, 784, false, true)); // blocked
        Assert.Equal(KernelPath.Avx512, Gemm.PathFor(KernelPath.Avx512, 1, 10, 128, false, true));     // B in L2
        Assert.Equal(KernelPath.Avx2, Gemm.PathFor(KernelPath.Avx2, 1, 1200, 784, false, true));
        Assert.Equal(KernelPath.Scalar, Gemm.PathFor(KernelPath.Scalar, 1, 1200, 784, false, true));
        bool streams = 1200L * 1200 * sizeof(float) > CpuCaches.Current.L2;
        KernelPath expected = CpuFamily.SplitsWideVectors && streams ? KernelPath.Avx2 : KernelPath.Avx512;
        Assert.Equal(expected, Gemm.PathFor(KernelPath.Avx512, 1, 1200, 1200, false, true));
        Assert.Equal(expected, Gemm.PathFor(KernelPath.Avx512, 4, 1200, 1200, false, true));
        Assert.Equal(KernelPath.Avx512, Gemm.PathFor(KernelPath.Avx512, 4, 1200, 1200, true, true)); // blocked: Aᵀ
    }

    [Theory]
    [InlineData("AMD", 25, 17, "AMD Zen 4 (family 25, model 17)")]
    [InlineData("AMD", 25, 0x61, "AMD Zen 4 (family 25, model 97)")]
    [InlineData("AMD", 25, 1, "AMD Zen 3 (family 25, model 1)")]
    [InlineData("AMD", 25, 0x21, "AMD Zen 3 (family 25, model 33)")]
    [InlineData("AMD", 23, 0x31, "AMD Zen 2 (family 23, model 49)")]
    [InlineData("AMD", 26, 2, "AMD Zen 5 (family 26, model 2)")]
    [InlineData("Intel", 6, 106, "Intel Ice Lake-SP (family 6, model 106)")]
    [InlineData("Intel", 6, 143, "Intel Sapphire Rapids (family 6, model 143)")]
    [InlineData("Intel", 6, 85, "Intel Skylake-SP/Cascade Lake (family 6, model 85)")]
    [InlineData("Intel", 6, 151, "Intel (family 6, model 151)")]
    [InlineData("Intel", 15, 106, "Intel (family 15, model 106)")]
    [InlineData("unknown", 0, 0, "unknown")]
    public void Cpu_families_are_named_where_the_kernels_were_measured(string vendor, int family, int model, string expected) =>
        Assert.Equal(expected, CpuFamily.NameOf(vendor, family, model));

    private void WriteIndex(string name, string level, string type, string size, string shared)
    {
        string index = Path.Combine(_directory, name);
        Directory.CreateDirectory(index);
        File.WriteAllText(Path.Combine(index, "level"), level + "\n");
        File.WriteAllText(Path.Combine(index, "type"), type + "\n");
        File.WriteAllText(Path.Combine(index, "size"), size + "\n");
        File.WriteAllText(Path.Combine(index, "shared_cpu_list"), shared + "\n");
    }
}
