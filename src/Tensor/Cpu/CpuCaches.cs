using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The data caches one core sees, as the operating system or the processor reports them; the GEMM cache blocking
/// is derived from these sizes (see <see cref="GemmBlocking"/>).
/// </summary>
/// <remarks>
/// Read once at start-up: Linux's sysfs first (<c>/sys/devices/system/cpu/cpu0/cache</c>: what the kernel read from
/// CPUID, with the CPUs actually sharing each cache), else CPUID's deterministic cache parameters (leaf 4 on Intel,
/// 0x8000001D on AMD), else <see cref="Defaults"/>. A level that is missing or implausible (outside 4 KiB–4 MiB for
/// L1, 64 KiB–64 MiB for L2, 256 KiB–4 GiB for L3) takes its default, so a hypervisor that hides or invents cache
/// sizes costs speed, never correctness.
/// </remarks>
/// <param name="L1Data">Level-1 data cache of one core, in bytes.</param>
/// <param name="L2">Level-2 cache of one core, in bytes.</param>
/// <param name="L3">Last-level cache, in bytes (0 when the processor has none).</param>
/// <param name="L3Sharing">Logical processors that share the last-level cache (≥ 1).</param>
/// <param name="Source">Where the sizes came from: "sysfs", "cpuid" or "defaults".</param>
public sealed record CpuCaches(long L1Data, long L2, long L3, int L3Sharing, string Source)
{
    private const long KiB = 1024, MiB = 1024 * KiB;

    /// <summary>The caches of this machine, read once.</summary>
    public static CpuCaches Current { get; } = Detect();

    /// <summary>The sizes assumed when nothing is reported: 32 KiB L1d, 256 KiB L2, 2 MiB of L3 per core — small
    /// enough for any x86 core of the last decade, so blocks derived from them always fit.</summary>
    public static CpuCaches Defaults { get; } = new(32 * KiB, 256 * KiB, 2 * MiB, 1, "defaults");

    /// <summary>The share of the last-level cache one thread may count on: <see cref="L3"/> / <see cref="L3Sharing"/>
    /// (<see cref="L2"/> when there is no L3).</summary>
    public long L3PerThread => L3 > 0 ? L3 / Math.Max(L3Sharing, 1) : L2;

    /// <summary>One line for benchmark headers, e.g. "L1d 32 KiB, L2 1024 KiB, L3 32 MiB shared by 2 (sysfs)".</summary>
    public override string ToString() =>
        $"L1d {L1Data / KiB} KiB, L2 {L2 / KiB} KiB, L3 {(L3 >= MiB ? $"{L3 / MiB} MiB" : $"{L3 / KiB} KiB")} shared by {L3Sharing} ({Source})";

    private static CpuCaches Detect() =>
        FromSysfs("/sys/devices/system/cpu/cpu0/cache") ?? FromCpuid() ?? Defaults;

    /// <summary>
    /// Reads a sysfs cache directory (index0, index1, … each with level, type, size such as "32K" and
    /// shared_cpu_list such as "0-1,4"); null when it is absent or names no L1 data cache.
    /// </summary>
    internal static CpuCaches? FromSysfs(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        long l1 = 0, l2 = 0, l3 = 0;
        int sharing = 1;
        try
        {
            foreach (string index in Directory.EnumerateDirectories(directory, "index*"))
            {
                string type = ReadLine(index, "type"), level = ReadLine(index, "level");
                if (type == "Instruction") continue;
                long size = ParseSize(ReadLine(index, "size"));
                switch (level)
                {
                    case "1": l1 = size; break;
                    case "2": l2 = size; break;
                    case "3":
                        l3 = size;
                        sharing = CountCpus(ReadLine(index, "shared_cpu_list"));
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
        return l1 > 0 ? Sanitized(l1, l2, l3, sharing, "sysfs") : null;
    }

    /// <summary>CPUID's deterministic cache parameters; null off x86 or when the leaf is not offered.</summary>
    internal static CpuCaches? FromCpuid()
    {
        if (!X86Base.IsSupported) return null;
        bool amd = CpuFamily.Vendor == "AMD";
        int leaf = amd ? unchecked((int)0x8000001D) : 4;
        int highest = amd ? X86Base.CpuId(unchecked((int)0x80000000), 0).Eax : X86Base.CpuId(0, 0).Eax;
        if ((uint)highest < (uint)leaf) return null;
        long l1 = 0, l2 = 0, l3 = 0;
        int sharing = 1;
        for (int sub = 0; sub < 16; sub++)
        {
            (int eax, int b, int c, int _) = X86Base.CpuId(leaf, sub);
            int type = eax & 0x1F, level = (eax >> 5) & 0x7;
            if (type == 0) break;
            if (type == 2) continue; // instruction cache
            long size = (long)(((b >> 22) & 0x3FF) + 1) * (((b >> 12) & 0x3FF) + 1) * ((b & 0xFFF) + 1) * ((uint)c + 1L);
            if (level == 1) l1 = size;
            else if (level == 2) l2 = size;
            else if (level == 3)
            {
                l3 = size;
                sharing = ((eax >> 14) & 0xFFF) + 1;
            }
        }
        return l1 > 0 ? Sanitized(l1, l2, l3, sharing, "cpuid") : null;
    }

    // Each level inside its plausible range, else the default for it.
    internal static CpuCaches Sanitized(long l1, long l2, long l3, int sharing, string source) => new(
        l1 is >= 4 * KiB and <= 4 * MiB ? l1 : Defaults.L1Data,
        l2 is >= 64 * KiB and <= 64 * MiB ? l2 : Defaults.L2,
        l3 == 0 || l3 is >= 256 * KiB and <= 4096 * MiB ? l3 : Defaults.L3,
        sharing is >= 1 and <= 4096 ? sharing : 1,
        source);

    private static string ReadLine(string directory, string file)
    {
        string path = Path.Combine(directory, file);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
    }

    /// <summary>"32K", "1024K", "32M", "512" (bytes) → bytes.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0) return 0;
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => KiB, 'M' => MiB, 'G' => 1024 * MiB, _ => 1 };
        string digits = unit == 1 ? text : text[..^1];
        return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * unit;
    }

    /// <summary>"0-1,4,6-7" → 5.</summary>
    internal static int CountCpus(string list)
    {
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            count += dash < 0 ? 1 : int.Parse(part[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture)
                - int.Parse(part[..dash], System.Globalization.CultureInfo.InvariantCulture) + 1;
        }
        return Math.Max(count, 1);
    }
}
