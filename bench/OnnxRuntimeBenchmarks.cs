using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Quantization;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using OrtTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace TinyKd.Bench;

/// <summary>
/// Serving the same MLP by both engines in one run: TinyKd's forward (evaluation mode, no gradients, the CPU kernels on
/// all cores) against ONNX Runtime running the model <c>tinykd export --onnx</c> writes (<see cref="OnnxExport"/>; CPU
/// execution provider, intra-op threads = the cores TinyKd uses, the full graph optimisation level), on the same
/// inputs, one sample (latency) and a batch of 256 (throughput) — the fp32 model, its dynamic int8 quantization
/// (<c>tinykd quantize</c>'s default) and its static int8 chain (calibrated on 256 other rows of the same
/// distribution), each int8 model exported as integer operators. Before timing, the fp32 outputs are checked to agree
/// within 1e-4 and the int8 ones to be bit-identical. The ratio column is each time ÷ TinyKd's fp32 time.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SamplesPerSecondConfig))]
public class OnnxRuntimeBenchmarks
{
    private readonly Graph _graph = new();
    private Mlp _model = null!, _dynamic = null!, _chain = null!;
    private Tensor _inputs;
    private InferenceSession _session = null!, _dynamicSession = null!, _chainSession = null!;
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
        _dynamic = PostTrainingQuantizer.Quantize(_model, new QuantizationOptions());
        _chain = PostTrainingQuantizer.Quantize(_model, new QuantizationOptions(ActivationMode.Static),
            BenchData.Uniform(new Rng(5), 0f, 1f, 256, spec.InputSize));
        _inputs = BenchData.Uniform(new Rng(3), 0f, 1f, Batch, spec.InputSize);
        _session = Session(_model);
        _dynamicSession = Session(_dynamic);
        _chainSession = Session(_chain);
        _feed = [NamedOnnxValue.CreateFromTensor("input", new OrtTensor(_inputs.ToArray(), [Batch, spec.InputSize]))];
        Validate("fp32", TinyKd(), OnnxRuntime(), 1e-4f);
        Validate("dynamic int8", TinyKdInt8(), OnnxRuntimeInt8(), 0f);
        Validate("static int8 chain", TinyKdInt8Chain(), OnnxRuntimeInt8Chain(), 0f);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _dynamicSession.Dispose();
        _chainSession.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Variable TinyKd() => Forward(_model);

    [Benchmark]
    public float[] OnnxRuntime() => Run(_session);

    [Benchmark]
    public Variable TinyKdInt8() => Forward(_dynamic);

    [Benchmark]
    public float[] OnnxRuntimeInt8() => Run(_dynamicSession);

    [Benchmark]
    public Variable TinyKdInt8Chain() => Forward(_chain);

    [Benchmark]
    public float[] OnnxRuntimeInt8Chain() => Run(_chainSession);

    private static InferenceSession Session(Mlp model) => new(OnnxExport.Serialize(model),
        new SessionOptions { IntraOpNumThreads = CpuKernels.Threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });

    private Variable Forward(Mlp model)
    {
        using var _ = GradMode.NoGrad();
        _graph.Reset();
        return model.Forward(_graph.Input(_inputs));
    }

    private float[] Run(InferenceSession session)
    {
        using var results = session.Run(_feed);
        return [.. results[0].AsTensor<float>()];
    }

    // |ORT − TinyKd| ≤ tolerance·max(1, |TinyKd|) for every output (0: bit-identical), or the run stops before timing.
    private void Validate(string what, Variable tinykd, float[] ort, float tolerance)
    {
        float[] expected = tinykd.Data.ToArray();
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - ort[i]) <= tolerance * Math.Max(1f, Math.Abs(expected[i]))))
                throw new InvalidOperationException($"{Architecture} b{Batch} {what}: ONNX Runtime gives {ort[i]} at {i}, TinyKd {expected[i]}");
    }
}
