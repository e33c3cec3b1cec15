using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// The forward pass alone, in evaluation mode under <see cref="GradMode.NoGrad"/>: one sample (latency) and a
/// batch of 256 (throughput), reported as samples per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SamplesPerSecondConfig))]
public class InferenceBenchmarks
{
    private Mlp _model = null!;
    private Graph _graph = null!;
    private Tensor _inputs;

    [Params(BenchCases.Student, BenchCases.Teacher)]
    public string Architecture { get; set; } = "";

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>The serving batches of <see cref="BenchCases.InferenceBatches"/>.</summary>
    public static IEnumerable<int> Batches() => BenchCases.InferenceBatches;

    [GlobalSetup]
    public void Setup()
    {
        var spec = MlpSpec.Parse(Architecture);
        _model = new Mlp(spec, new Rng(1));
        _model.Eval();
        _graph = new Graph();
        _inputs = BenchData.Uniform(new Rng(3), 0f, 1f, Batch, spec.InputSize);
        Forward();
    }

    [Benchmark]
    public Variable Forward()
    {
        using var _ = GradMode.NoGrad();
        _graph.Reset();
        return _model.Forward(_graph.Input(_inputs));
    }

}

/// <summary>The "Samples/s" column of a suite with an int parameter named Batch: batch rows per second (batch / mean time).</summary>
public sealed class SamplesPerSecondConfig : ManualConfig
{
    public SamplesPerSecondConfig() =>
        AddColumn(new RateColumn("Samples/s", "Batch rows classified per second (batch / mean time)",
            c => c.Parameters[nameof(InferenceBenchmarks.Batch)] is int batch ? batch : null, 1));
}
