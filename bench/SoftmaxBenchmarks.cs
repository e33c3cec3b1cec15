using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>Row softmax and log-softmax, at a classifier head (128×10) and a wide one (1024×1000).</summary>
[MemoryDiagnoser]
public class SoftmaxBenchmarks
{
    private Tensor _x, _y;

    [ParamsSource(nameof(Shapes))]
    public RowsByColumns Shape { get; set; } = null!;

    [Params(false, true)]
    public bool Log { get; set; }

    /// <summary>The temperature; 1 like the cross-entropy path (the kernel divides by T whatever its value).</summary>
    public const float Temperature = 1f;

    public static IEnumerable<RowsByColumns> Shapes() => [new(128, 10), new(1024, 1000)];

    [GlobalSetup]
    public void Setup()
    {
        // Logits of a trained classifier span a few units; ±8 keeps every exponent well inside float range.
        _x = BenchData.Uniform(new Rng(7), -8f, 8f, Shape.Rows, Shape.Columns);
        _y = Tensor.Zeros(Shape.Rows, Shape.Columns);
    }

    [Benchmark]
    public void Softmax() => CpuCompute.Default.Softmax(_y, _x, Temperature, Log);

    /// <summary>A matrix shape, shown as "rows x columns".</summary>
    public sealed record RowsByColumns(int Rows, int Columns)
    {
        public override string ToString() => $"{Rows}x{Columns}";
    }
}
