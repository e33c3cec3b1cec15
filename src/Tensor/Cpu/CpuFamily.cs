using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The processor's vendor, family and model from CPUID, and the microarchitecture they name where the kernels were
/// measured on it (AMD Zen generations, Intel Xeon server cores); benchmark headers print it beside the model name, because a figure means
/// little without the core that produced it (Zen 4 runs AVX-512 at half rate, Zen 3 has no AVX-512 at all).
/// </summary>
public static class CpuFamily
{
    private static readonly (string Vendor, int Family, int Model) s_id = Read();

    /// <summary>"AMD", "Intel", another CPUID vendor string, or "unknown" off x86.</summary>
    public static string Vendor => s_id.Vendor;

    /// <summary>The display family (base + extended family), e.g. 25 for AMD Zen 3 and Zen 4; 0 off x86.</summary>
    public static int Family => s_id.Family;

    /// <summary>The display model (extended model · 16 + base model), e.g. 17 for a Zen 4 EPYC; 0 off x86.</summary>
    public static int Model => s_id.Model;

    /// <summary>
    /// E.g. "AMD Zen 4 (family 25, model 17)", "Intel Ice Lake-SP (family 6, model 106)", or "Intel (family 6, model
    /// 151)" where the model is not in the table (AMD family 23 = Zen, Zen+, Zen 2; 25 = Zen 3, Zen 4 by model range;
    /// 26 = Zen 5; Intel family 6 server models 85 = Skylake-SP / Cascade Lake / Cooper Lake, 106 and 108 = Ice
    /// Lake-SP, 143 = Sapphire Rapids, 207 = Emerald Rapids, 173 and 174 = Granite Rapids).
    /// </summary>
    public static string Description => NameOf(Vendor, Family, Model);

    /// <summary>
    /// True on cores that execute 512-bit vector instructions as two 256-bit halves (AMD Zen 4): the AVX-512 path
    /// has no more FMA throughput there than AVX2, and where a kernel is bound by streaming memory the 256-bit one
    /// can be faster (see Gemm.PathFor).
    /// </summary>
    public static bool SplitsWideVectors { get; } = s_id.Vendor == "AMD" && IsZen4(s_id.Family, s_id.Model);

    private static bool IsZen4(int family, int model) =>
        family == 25 && model is (>= 0x10 and < 0x20) or (>= 0x60 and < 0x80) or (>= 0xA0 and < 0xB0);

    /// <summary>The description for a vendor, family and model (see <see cref="Description"/>).</summary>
    internal static string NameOf(string vendor, int family, int model)
    {
        if (family == 0) return vendor;
        string? core = vendor switch
        {
            "AMD" => family switch
            {
                23 => model < 0x30 ? "Zen/Zen+" : "Zen 2",
                25 => IsZen4(family, model) ? "Zen 4" : "Zen 3",
                26 => "Zen 5",
                _ => null,
            },
            "Intel" when family == 6 => model switch
            {
                85 => "Skylake-SP/Cascade Lake",
                106 or 108 => "Ice Lake-SP",
                143 => "Sapphire Rapids",
                207 => "Emerald Rapids",
                173 or 174 => "Granite Rapids",
                _ => null,
            },
            _ => null,
        };
        return core == null ? $"{vendor} (family {family}, model {model})" : $"{vendor} {core} (family {family}, model {model})";
    }

    private static (string, int, int) Read()
    {
        if (!X86Base.IsSupported) return ("unknown", 0, 0);
        (int _, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name, ebx);
        BitConverter.TryWriteBytes(name[4..], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        string vendor = System.Text.Encoding.ASCII.GetString(name) switch
        {
            "AuthenticAMD" => "AMD",
            "GenuineIntel" => "Intel",
            var other => other,
        };
        int eax = X86Base.CpuId(1, 0).Eax;
        int baseFamily = (eax >> 8) & 0xF, baseModel = (eax >> 4) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily;
        int model = baseFamily is 0x6 or 0xF ? (((eax >> 16) & 0xF) << 4) + baseModel : baseModel;
        return (vendor, family, model);
    }
}
