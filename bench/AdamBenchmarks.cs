using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// One Adam step over 2.4M parameters (784-1200-1200-10 has 2.39M): the fused vector update on each path against the
/// plain loop it replaced ("old", <see cref="OptimizerReference.Adam"/>). Each path is checked bit for bit against
/// the loop on a copy of the buffers first. Memory-bound: 4 streams read, 3 written, 67 MB per step.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(VersusOldConfig))]
public class AdamBenchmarks
{
    public const int Parameters = 2_400_000;
    private static readonly AdamStep Step = new(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, Decoupled: false, Step: 10);
    private Tensor _p, _g, _m, _v;

    [ParamsSource(nameof(Variants))]
    public KernelVariant Variant { get; set; } = null!;

    public static IEnumerable<KernelVariant> Variants() => KernelVariant.All();

    [GlobalSetup]
    public void Setup()
    {
        Variant.Apply();
        var rng = new Rng(5);
        _p = BenchData.Uniform(rng, -0.1f, 0.1f, Parameters);
        _g = BenchData.Uniform(rng, -1e-2f, 1e-2f, Parameters);
        _m = BenchData.Uniform(rng, -1e-3f, 1e-3f, Parameters);
        _v = BenchData.Uniform(rng, 0f, 1e-4f, Parameters);
        float[] p = _p.ToArray(), m = _m.ToArray(), v = _v.ToArray();
        OptimizerReference.Adam(p, _g.Span, m, v, Step);
        AdamStep();
        Validation.Check($"Adam {Variant}", p, _p.Span, atol: 0, rtol: 0);
        Validation.Check($"Adam m {Variant}", m, _m.Span, atol: 0, rtol: 0);
        Validation.Check($"Adam v {Variant}", v, _v.Span, atol: 0, rtol: 0);
    }

    [Benchmark]
    public void AdamStep()
    {
        if (Variant.IsOld) OptimizerReference.Adam(_p.Span, _g.Span, _m.Span, _v.Span, Step);
        else CpuCompute.Default.AdamUpdate(_p, _g, _m, _v, Step);
    }
}
