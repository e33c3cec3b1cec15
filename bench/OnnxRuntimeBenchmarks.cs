using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Interop;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using OrtTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace TinyKd.Bench;

/// <summary>
/// Serving the same MLP two ways in one run: TinyKd's forward (evaluation mode, no gradients, the CPU kernels on all
/// cores) against ONNX Runtime running the model <c>tinykd export --onnx</c> writes (<see cref="OnnxExport"/>;
/// CPU execution provider, intra-op threads = the cores TinyKd uses, the full graph optimisation level), on the same
/// inputs, one sample (latency) and a batch of 256 (throughput). The ratio column is ONNX Runtime's time ÷ TinyKd's.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SamplesPerSecondConfig))]
public class OnnxRuntimeBenchmarks
{
    private Mlp _model = null!;
    private Graph _graph = null!;
    private Tensor _inputs;
    private InferenceSession _session = null!;
    private NamedOnnxValue[] _feed = null!;

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
        var options = new SessionOptions { IntraOpNumThreads = CpuKernels.Threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(OnnxExport.Serialize(_model), options);
        _feed = [NamedOnnxValue.CreateFromTensor("input", new OrtTensor(_inputs.ToArray(), [Batch, spec.InputSize]))];
        float[] tinykd = TinyKd().Data.ToArray(), ort = OnnxRuntime();
        for (int i = 0; i < tinykd.Length; i++)
            if (Math.Abs(tinykd[i] - ort[i]) > 1e-4f * Math.Max(1f, Math.Abs(tinykd[i])))
                throw new InvalidOperationException($"{Architecture} b{Batch}: ONNX Runtime gives {ort[i]} at {i}, TinyKd {tinykd[i]}");
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark(Baseline = true)]
    public Variable TinyKd()
    {
        using var _ = GradMode.NoGrad();
        _graph.Reset();
        return _model.Forward(_graph.Input(_inputs));
    }

    [Benchmark]
    public float[] OnnxRuntime()
    {
        using var results = _session.Run(_feed);
        return [.. results[0].AsTensor<float>()];
    }
}
