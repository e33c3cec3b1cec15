using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// e^x over 4096 floats (16 KiB, in L1, so the arithmetic is timed, not memory): TinyKd's exp on each path against
/// <c>TensorPrimitives.Exp</c> ("old", what the softmax used before).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(VersusOldConfig))]
public class ExpBenchmarks
{
    public const int Length = 4096;
    private readonly float[] _x = new float[Length], _y = new float[Length];

    [ParamsSource(nameof(Variants))]
    public KernelVariant Variant { get; set; } = null!;

    public static IEnumerable<KernelVariant> Variants() => KernelVariant.All().Where(v => v.Threads == 1);

    [GlobalSetup]
    public void Setup()
    {
        Variant.Apply();
        // Softmax exponents: (x − max)/T in [−16, 0].
        new Rng(3).FillUniform(_x, -16f, 0f);
        Exp();
        var expected = _x.Select(v => (float)Math.Exp(v)).ToArray();
        Validation.Check($"exp {Variant}", expected, _y, atol: 0, rtol: 2.4e-7);
    }

    [Benchmark]
    public void Exp()
    {
        if (Variant.IsOld) TensorPrimitives.Exp(_x, _y);
        else Tensors.Cpu.Exp.Run(_x, _y);
    }
}
