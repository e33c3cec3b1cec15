using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// The blocked GEMM against the reference triple loop on square and MLP shapes. Each blocked case is validated
/// against the reference on its own shape before it is timed (llm.c dev/cuda's habit): a fast wrong kernel fails
/// the run instead of topping the table.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class GemmBenchmarks
{
    /// <summary>
    /// The largest allowed error, element-wise |fast − ref| / max(|ref|, 1): relative where |ref| ≥ 1, absolute
    /// below, so entries that cancel to near zero do not blow the ratio up.
    /// </summary>
    public const double Tolerance = 1e-4;

    private Tensor _a, _b, _c;

    [ParamsSource(nameof(Cases))]
    public GemmCase Case { get; set; } = null!;

    public static IEnumerable<GemmCase> Cases() => GemmCase.All();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(42);
        _a = BenchData.Uniform(rng, -1f, 1f, Case.AShape);
        _b = BenchData.Uniform(rng, -1f, 1f, Case.BShape);
        _c = Tensor.Zeros(Case.M, Case.N);
        if (Case.Kernel == GemmKernel.Blocked) Validate();
    }

    [Benchmark]
    public void Gemm()
    {
        if (Case.Kernel == GemmKernel.Blocked)
            CpuCompute.Default.Gemm(_c, _a, Case.TransposeA, _b, Case.TransposeB);
        else
            GemmReference.Run(Case.M, Case.N, Case.K, _a.Span, Case.TransposeA == Transpose.Yes, _b.Span,
                Case.TransposeB == Transpose.Yes, _c.Span, 1f, 0f, default, false);
    }

    private void Validate()
    {
        Tensor expected = Tensor.Zeros(Case.M, Case.N);
        GemmReference.Run(Case.M, Case.N, Case.K, _a.Span, Case.TransposeA == Transpose.Yes, _b.Span,
            Case.TransposeB == Transpose.Yes, expected.Span, 1f, 0f, default, false);
        CpuCompute.Default.Gemm(_c, _a, Case.TransposeA, _b, Case.TransposeB);
        ReadOnlySpan<float> e = expected.Span, actual = _c.Span;
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - e[i]) / Math.Max(Math.Abs((double)e[i]), 1.0);
            if (error > worst || double.IsNaN(error)) (worst, worstIndex) = (error, i);
        }
        if (!(worst <= Tolerance))
            throw new InvalidOperationException(
                $"Blocked GEMM {Case} disagrees with the reference: error {worst:E2} > {Tolerance:E0} at C[{worstIndex / Case.N}, {worstIndex % Case.N}] " +
                $"(expected {e[worstIndex]}, got {actual[worstIndex]}).");
        Console.WriteLine($"// Validated {Case} against the reference: max error {worst:E2} (tolerance {Tolerance:E0}).");
    }

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(new RateColumn("GFLOP/s", "2*M*N*K floating-point operations per call / mean time, in 1e9 per second",
                c => CaseOf(c)?.Flops, 1e9));
            AddColumn(new GemmSpeedupColumn());
        }
    }

    internal static GemmCase? CaseOf(BenchmarkCase benchmarkCase) => benchmarkCase.Parameters[nameof(Case)] as GemmCase;
}
