using BenchmarkDotNet.Attributes;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Bench;

/// <summary>
/// The distillation loss with its student gradient (frozen teacher, T = 4): the fused
/// <see cref="ICompute.KlDivergenceWithGradient"/> on each path against what <c>Losses.KlDivergence</c> did before
/// ("old": the old TensorPrimitives log-softmax of both logits, then the <c>KlDivergence</c> and
/// <c>KlDivergenceBackward</c> steps, now in <c>LossReference</c>), at a 10-class head (128×10) and 1024×1000. The fused result is validated against
/// <see cref="LossReference.KlDivergenceWithGradient"/> first.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(VersusOldConfig))]
public class KdLossBenchmarks
{
    public const float Temperature = 4f;
    private Tensor _student, _teacher, _logPs, _logPt, _dStudent, _loss;

    [ParamsSource(nameof(Shapes))]
    public SoftmaxBenchmarks.RowsByColumns Shape { get; set; } = null!;

    [ParamsSource(nameof(Variants))]
    public KernelVariant Variant { get; set; } = null!;

    public static IEnumerable<SoftmaxBenchmarks.RowsByColumns> Shapes() => [new(128, 10), new(1024, 1000)];

    public static IEnumerable<KernelVariant> Variants() => KernelVariant.All();

    [GlobalSetup]
    public void Setup()
    {
        Variant.Apply();
        var rng = new Rng(11);
        _student = BenchData.Uniform(rng, -8f, 8f, Shape.Rows, Shape.Columns);
        _teacher = BenchData.Uniform(rng, -8f, 8f, Shape.Rows, Shape.Columns);
        (_logPs, _logPt, _dStudent, _loss) = (Tensor.Zeros(Shape.Rows, Shape.Columns), Tensor.Zeros(Shape.Rows, Shape.Columns),
            Tensor.Zeros(Shape.Rows, Shape.Columns), Tensor.Zeros(1));
        KdLoss();
        var expected = new float[_student.Length];
        float loss = LossReference.KlDivergenceWithGradient(expected, default, _student.Span, _teacher.Span, Shape.Columns, Temperature);
        Validation.Check($"KD loss {Shape} {Variant}", [loss], [_loss.Item()], atol: 1e-6, rtol: 1e-5);
        // The old backward adds into dStudent on every call; compare one call's worth.
        if (Variant.IsOld)
        {
            _dStudent.Span.Clear();
            KdLoss();
        }
        Validation.Check($"KD student gradient {Shape} {Variant}", expected, _dStudent.Span, atol: 1e-6 / (Temperature * Shape.Rows), rtol: 1e-5);
    }

    [Benchmark]
    public void KdLoss()
    {
        ICompute cpu = CpuCompute.Default;
        if (Variant.IsOld)
        {
            OldKernels.Softmax(_student.Span, _logPs.Span, Shape.Columns, Temperature, log: true);
            OldKernels.Softmax(_teacher.Span, _logPt.Span, Shape.Columns, Temperature, log: true);
            _loss.Span[0] = LossReference.KlDivergence(_logPs.Span, _logPt.Span, Shape.Rows);
            LossReference.KlDivergenceBackward(_dStudent.Span, default, _logPs.Span, _logPt.Span, Shape.Columns, Temperature, scale: 1f);
        }
        else cpu.KlDivergenceWithGradient(_loss, _dStudent, default, _student, _teacher, Temperature);
    }
}
