using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// Row softmax and log-softmax, at a classifier head (128×10) and a wide one (1024×1000): the fused kernel on each
/// path against the five-TensorPrimitives-calls-per-row version it replaced ("old"). Each new case is validated
/// against <see cref="SoftmaxReference"/> before it is timed.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(VersusOldConfig))]
public class SoftmaxBenchmarks
{
    private Tensor _x, _y;

    [ParamsSource(nameof(Shapes))]
    public RowsByColumns Shape { get; set; } = null!;

    [Params(false, true)]
    public bool Log { get; set; }

    [ParamsSource(nameof(Variants))]
    public KernelVariant Variant { get; set; } = null!;

    /// <summary>The temperature; 1 like the cross-entropy path (the kernel divides by T whatever its value).</summary>
    public const float Temperature = 1f;

    public static IEnumerable<RowsByColumns> Shapes() => [new(128, 10), new(1024, 1000)];

    public static IEnumerable<KernelVariant> Variants() => KernelVariant.All();

    [GlobalSetup]
    public void Setup()
    {
        Variant.Apply();
        // Logits of a trained classifier span a few units; ±8 keeps every exponent well inside float range.
        _x = BenchData.Uniform(new Rng(7), -8f, 8f, Shape.Rows, Shape.Columns);
        _y = Tensor.Zeros(Shape.Rows, Shape.Columns);
        Softmax();
        var expected = new float[_x.Length];
        SoftmaxReference.Forward(_x.Span, expected, Shape.Columns, Temperature, Log);
        Validation.Check($"softmax {Shape} log={Log} {Variant}", expected, _y.Span, atol: 1e-6, rtol: 1e-5);
    }

    [Benchmark]
    public void Softmax()
    {
        if (Variant.IsOld) OldKernels.Softmax(_x.Span, _y.Span, Shape.Columns, Temperature, Log);
        else CpuCompute.Default.Softmax(_y, _x, Temperature, Log);
    }

    /// <summary>A matrix shape, shown as "rows x columns".</summary>
    public sealed record RowsByColumns(int Rows, int Columns)
    {
        public override string ToString() => $"{Rows}x{Columns}";
    }
}
