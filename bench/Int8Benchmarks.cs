using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// The int8 Linear forward (<see cref="ICompute.Int8Linear"/>: dynamic u8 activation quantization, the int8 kernel,
/// the float epilogue) against its fp32 twin (<see cref="ICompute.Gemm"/> x·Wᵀ + b) at the MLP shapes, batch 1 and
/// 256, on the start-up kernel path and all threads; Ratio = int8 time / fp32 time. A layer list such as
/// 784-1200-1200-10 runs the whole MLP (ReLU between layers). Before timing, each int8 layer is checked against the
/// fp32 layer on the same input within the bound its scales allow, so a fast wrong kernel fails the run.
/// <see cref="Int8Static"/> and <see cref="Int8Fused"/> compare the two epilogues of static quantization (ranges
/// calibrated on the fp32 activations): layer by layer with the fp32 epilogue (each layer writes floats, the next
/// quantizes them), against the int8 → int8 chain (the input quantized once, each layer's epilogue requantizing to
/// the next layer's u8 codes, the last writing floats; a one-layer list requantizes its output, as a hidden layer of
/// a chain does). Both must give the same bits, checked before timing.
/// </summary>
[MemoryDiagnoser]
public class Int8Benchmarks
{
    private readonly ICompute _cpu = CpuCompute.Default;
    private Tensor[] _weights = [], _biases = [], _activations = [];
    private Int8LinearWeight[] _quantized = [];
    private ActivationQuantization[] _ranges = [];
    private byte[][] _codes = [];

    [Params("784-1200", "1200-1200", "1200-10", "784-128", "128-10", "784-1200-1200-10")]
    public string Layers { get; set; } = "";

    [Params(1, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int[] widths = Layers.Split('-').Select(int.Parse).ToArray();
        int layers = widths.Length - 1;
        var rng = new Rng(7);
        _weights = new Tensor[layers];
        _biases = new Tensor[layers];
        _quantized = new Int8LinearWeight[layers];
        _activations = new Tensor[layers + 1];
        _activations[0] = BenchData.Uniform(rng, 0f, 1f, Batch, widths[0]);
        for (int l = 0; l < layers; l++)
        {
            float bound = 1f / MathF.Sqrt(widths[l]);
            _weights[l] = BenchData.Uniform(rng, -bound, bound, widths[l + 1], widths[l]);
            _biases[l] = BenchData.Uniform(rng, -bound, bound, widths[l + 1]);
            _quantized[l] = Int8LinearWeight.Quantize(_weights[l].Span, widths[l + 1], widths[l]);
            _activations[l + 1] = Tensor.Zeros(Batch, widths[l + 1]);
        }
        Fp32();
        for (int l = 0; l < layers; l++) Validate(l);
        _ranges = new ActivationQuantization[layers + 1];
        _codes = new byte[layers + 1][];
        for (int l = 0; l <= layers; l++)
        {
            _ranges[l] = ActivationQuantization.FromData(_activations[l].Span);
            _codes[l] = new byte[Batch * Int8LinearWeight.ActivationStride(widths[l])];
        }
        ValidateFused();
    }

    [Benchmark(Baseline = true)]
    public void Fp32()
    {
        for (int l = 0; l < _weights.Length; l++)
            _cpu.Gemm(_activations[l + 1], _activations[l], Transpose.No, _weights[l], Transpose.Yes, bias: _biases[l], epilogue: EpilogueOf(l));
    }

    [Benchmark]
    public void Int8()
    {
        for (int l = 0; l < _quantized.Length; l++)
            _cpu.Int8Linear(_activations[l + 1], _activations[l], _quantized[l], _biases[l], EpilogueOf(l));
    }

    [Benchmark]
    public void Int8Static()
    {
        for (int l = 0; l < _quantized.Length; l++)
            _cpu.Int8Linear(_activations[l + 1], _activations[l], _quantized[l], _biases[l], EpilogueOf(l), _ranges[l]);
        if (_quantized.Length == 1) _ranges[1].Quantize(_activations[1].Span, _codes[1].AsSpan(0, _activations[1].Length));
    }

    [Benchmark]
    public void Int8Fused()
    {
        int layers = _quantized.Length, width = _activations[0].Shape[1], stride = _quantized[0].PaddedInFeatures;
        ReadOnlySpan<float> x = _activations[0].Span;
        for (int i = 0; i < Batch; i++) _ranges[0].Quantize(x.Slice(i * width, width), _codes[0].AsSpan(i * stride, width));
        for (int l = 0; l < layers; l++)
        {
            if (l == layers - 1 && layers > 1) _cpu.Int8LinearU8(_activations[l + 1], _codes[l], _quantized[l], _ranges[l], _biases[l]);
            else _cpu.Int8LinearU8(_codes[l + 1], _codes[l], Batch, _quantized[l], _ranges[l], _ranges[l + 1], _biases[l], EpilogueOf(l));
        }
    }

    // The chain's output (floats, or for one layer its u8 codes) against the layer-by-layer static run's, bit for bit.
    private void ValidateFused()
    {
        Int8Static();
        float[] floats = _activations[^1].Span.ToArray();
        byte[] codes = _quantized.Length == 1 ? _codes[1].AsSpan(0, _activations[1].Length).ToArray() : [];
        Int8Fused();
        bool same = _quantized.Length > 1 ? floats.AsSpan().SequenceEqual(_activations[^1].Span) : SameCodes(codes);
        if (!same) throw new InvalidOperationException($"The fused int8 chain {Layers} at batch {Batch} differs from the layer-by-layer static run.");
    }

    private bool SameCodes(byte[] codes)
    {
        int n = _activations[1].Shape[1], stride = Int8LinearWeight.ActivationStride(n);
        for (int i = 0; i < Batch; i++)
            if (!codes.AsSpan(i * n, n).SequenceEqual(_codes[1].AsSpan(i * stride, n))) return false;
        return true;
    }

    private Epilogue EpilogueOf(int layer) => layer < _weights.Length - 1 ? Epilogue.Relu : Epilogue.None;

    // Layer l in int8 on the fp32 chain's input to it, against the fp32 output already in _activations[l + 1]:
    // |x·w − x̂·ŵ| ≤ Σ_k |x|·s_w/2 + |w|·s_x/2 + s_x·s_w/4, as atol with the largest row's bound.
    private void Validate(int l)
    {
        Tensor x = _activations[l], expected = _activations[l + 1];
        int k = x.Shape[1], n = expected.Shape[1];
        Tensor actual = Tensor.Zeros(Batch, n);
        _cpu.Int8Linear(actual, x, _quantized[l], _biases[l], EpilogueOf(l));
        ActivationQuantization p = ActivationQuantization.FromData(x.Span);
        double sumX = 0, maxW = 0, maxScale = 0;
        for (int i = 0; i < Batch; i++)
        {
            double row = 0;
            for (int kk = 0; kk < k; kk++) row += Math.Abs(x.Span[i * k + kk]);
            sumX = Math.Max(sumX, row);
        }
        for (int o = 0; o < n; o++)
        {
            maxScale = Math.Max(maxScale, _quantized[l].Scale(o));
            double row = 0;
            for (int kk = 0; kk < k; kk++) row += Math.Abs(_weights[l].Span[o * k + kk]);
            maxW = Math.Max(maxW, row);
        }
        double atol = sumX * maxScale / 2 + maxW * p.Scale / 2 + k * maxScale * p.Scale / 4 + 1e-5;
        Validation.Check($"int8 layer {l} of {Layers} at batch {Batch}", expected.Span, actual.Span, atol, 1e-5);
    }
}
