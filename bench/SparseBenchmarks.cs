using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>What a sparse benchmark case times.</summary>
public enum SparseKernel
{
    /// <summary>The dense GEMM x·Wᵀ + b (<c>GemmKernels.Run</c>): the baseline of its layer and batch.</summary>
    Dense,
    /// <summary><c>SparseKernels.Run</c> on W in CSR, pruned element by element.</summary>
    Csr,
    /// <summary><c>SparseKernels.Run</c> on W in 8×1 blocks, pruned block by block.</summary>
    Blocked,
}

/// <summary>One Linear forward y [B, Out] = x [B, In]·Wᵀ + b, dense or sparse at a sparsity.</summary>
/// <param name="In">Input features.</param>
/// <param name="Out">Output features.</param>
/// <param name="Batch">B.</param>
/// <param name="Kernel">What is timed.</param>
/// <param name="Sparsity">Fraction of W's elements that are zero (0 for the dense case).</param>
public sealed record SparseCase(int In, int Out, int Batch, SparseKernel Kernel, double Sparsity) : IComparable<SparseCase>, IComparable
{
    private static readonly (int In, int Out)[] Layers = [(784, 1200), (1200, 1200), (784, 128)];
    private static readonly double[] Sparsities = [0.5, 0.8, 0.9, 0.95];

    /// <summary>Per layer and batch: dense, then CSR and blocked at every sparsity.</summary>
    public static IEnumerable<SparseCase> All()
    {
        foreach (var (inFeatures, outFeatures) in Layers)
            foreach (int batch in (int[])[1, 256])
            {
                yield return new SparseCase(inFeatures, outFeatures, batch, SparseKernel.Dense, 0);
                foreach (double s in Sparsities)
                {
                    yield return new SparseCase(inFeatures, outFeatures, batch, SparseKernel.Csr, s);
                    yield return new SparseCase(inFeatures, outFeatures, batch, SparseKernel.Blocked, s);
                }
            }
    }

    /// <summary>True for the same layer and batch.</summary>
    public bool SameLayer(SparseCase other) => In == other.In && Out == other.Out && Batch == other.Batch;

    /// <inheritdoc />
    public int CompareTo(SparseCase? other) => string.CompareOrdinal(ToString(), other?.ToString());

    /// <inheritdoc />
    public int CompareTo(object? obj) => CompareTo(obj as SparseCase);

    /// <inheritdoc />
    public override string ToString() => Kernel == SparseKernel.Dense
        ? $"{In}->{Out} b{Batch} dense"
        : $"{In}->{Out} b{Batch} {Kernel} {Sparsity * 100:F0}%";
}

/// <summary>
/// The sparse Linear forward (<c>SparseKernels.Run</c>, CSR and blocked) against the dense GEMM on the teacher's
/// 784→1200 and 1200→1200 and the student's 784→128 layers, batch 1 and 256, at 50/80/90/95 % sparsity, on the widest
/// path and one thread. Each case is validated against its reference (<c>SparseReference</c> for sparse, the GEMM
/// reference for dense) on its own operands before timing. "vs dense" is the dense mean of the same layer and batch
/// over this case's mean, both from this run.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class SparseBenchmarks
{
    private float[] _x = [], _y = [], _bias = [], _dense = [];
    private SparseMatrix _sparse = null!;

    [ParamsSource(nameof(Cases))]
    public SparseCase Case { get; set; } = null!;

    public static IEnumerable<SparseCase> Cases() => SparseCase.All();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(42);
        int n = Case.In, m = Case.Out, b = Case.Batch;
        _x = new float[b * n];
        _bias = new float[m];
        _y = new float[b * m];
        _dense = new float[m * n];
        rng.FillUniform(_x, -1, 1);
        rng.FillUniform(_bias, -1, 1);
        rng.FillUniform(_dense, -1, 1);
        int height = Case.Kernel == SparseKernel.Blocked ? SparseMatrix.BlockHeight : 1;
        var draw = new float[(m + height - 1) / height * n];
        rng.FillUniform(draw, 0, 1);
        for (int o = 0; o < m; o++)
            for (int k = 0; k < n; k++)
                if (draw[o / height * n + k] < Case.Sparsity) _dense[o * n + k] = 0f;
        float[] expected = new float[b * m];
        if (Case.Kernel == SparseKernel.Dense)
        {
            GemmReference.Run(b, m, n, _x, false, _dense, true, expected, 1f, 0f, _bias, false);
        }
        else
        {
            _sparse = SparseMatrix.FromDense(_dense, m, n, Case.Kernel == SparseKernel.Csr ? SparseFormat.Csr : SparseFormat.Blocked);
            SparseReference.Run(_sparse, b, _x, expected, _bias, false);
        }
        Forward();
        Validation.Check(Case.ToString(), expected, _y, atol: 1e-4, rtol: 1e-4);
    }

    [Benchmark]
    public void Forward()
    {
        if (Case.Kernel == SparseKernel.Dense)
            GemmKernels.Run(CpuKernels.Best, 1, Case.Batch, Case.Out, Case.In, _x, false, _dense, true, _y, bias: _bias);
        else SparseKernels.Run(CpuKernels.Best, 1, _sparse, Case.Batch, _x, _y, _bias);
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new SpeedupColumn("vs dense",
            "Mean time of the dense GEMM for the same layer and batch / this case's mean time, same run (above 1: sparse is faster)",
            (cases, c) => CaseOf(c) is { } sparse
                ? cases.FirstOrDefault(d => CaseOf(d) is { Kernel: SparseKernel.Dense } dense && dense.SameLayer(sparse))
                : null));
    }

    private static SparseCase? CaseOf(BenchmarkCase benchmarkCase) => benchmarkCase.Parameters[nameof(Case)] as SparseCase;
}
