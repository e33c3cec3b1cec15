using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// The int8 activation passes on one 256×1200 batch (the teacher's hidden layer at batch 256): quantizing to u8 with a
/// fixed scale and zero point, dequantizing back, and the fake quantization of quantization-aware training (the two
/// together, plus the range check), each on every kernel path and on one thread, against the plain loop of the
/// formula ("old" — what a first version would write), which every path equals bit for bit (checked before timing).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(VersusOldConfig))]
public class QuantizeBenchmarks
{
    private const int Rows = 256, Columns = 1200;
    private Tensor _x, _y;
    private byte[] _codes = [];
    private ActivationQuantization _quantization;

    [ParamsSource(nameof(Variants))]
    public KernelVariant Variant { get; set; } = null!;

    public static IEnumerable<KernelVariant> Variants() => KernelVariant.All().Where(v => v.Threads == 1);

    [GlobalSetup]
    public void Setup()
    {
        Variant.Apply();
        _x = BenchData.Uniform(new Rng(5), -1f, 6f, Rows, Columns);
        _y = Tensor.Zeros(Rows, Columns);
        _codes = new byte[_x.Length];
        _quantization = ActivationQuantization.FromRange(-1f, 6f);
        var expected = new byte[_x.Length];
        PlainQuantize(_x.Span, expected, _quantization);
        Quantize();
        if (!expected.AsSpan().SequenceEqual(_codes)) throw new InvalidOperationException($"{Variant}: u8 codes differ from the plain loop");
        var fake = new float[_x.Length];
        PlainDequantize(expected, fake, _quantization);
        FakeQuantize();
        Validation.Check($"fake quantization {Variant}", fake, _y.Span, atol: 0, rtol: 0);
    }

    [Benchmark]
    public void Quantize()
    {
        if (Variant.IsOld) PlainQuantize(_x.Span, _codes, _quantization);
        else _quantization.Quantize(_x.Span, _codes);
    }

    [Benchmark]
    public void Dequantize()
    {
        if (Variant.IsOld) PlainDequantize(_codes, _y.Span, _quantization);
        else _quantization.Dequantize(_codes, _y.Span);
    }

    [Benchmark]
    public void FakeQuantize()
    {
        if (Variant.IsOld)
        {
            PlainQuantize(_x.Span, _codes, _quantization);
            PlainDequantize(_codes, _y.Span, _quantization);
        }
        else CpuCompute.Default.FakeQuantize(_y, _x, _quantization);
    }

    private static void PlainQuantize(ReadOnlySpan<float> x, Span<byte> q, ActivationQuantization p)
    {
        float inverse = 1f / p.Scale;
        for (int i = 0; i < x.Length; i++) q[i] = (byte)Math.Clamp(MathF.Round(x[i] * inverse) + p.ZeroPoint, 0f, 255f);
    }

    private static void PlainDequantize(ReadOnlySpan<byte> q, Span<float> x, ActivationQuantization p)
    {
        for (int i = 0; i < q.Length; i++) x[i] = (q[i] - p.ZeroPoint) * p.Scale;
    }
}
