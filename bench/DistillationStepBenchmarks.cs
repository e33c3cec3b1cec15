using BenchmarkDotNet.Attributes;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// What a distillation step costs against a plain student step, through the real <see cref="Trainer"/> at batch
/// 128 with Adam: the student 784-128-10 with cross-entropy (the baseline), distilled from a 784-1200-1200-10 teacher
/// whose logits were cached once (what <c>tinykd pipeline</c> does), and distilled with the teacher run on every
/// batch (what augmentation forces). The Ratio column is each against the baseline: the case for the cache.
/// The learning rate is tiny on purpose: thousands of steps on one batch would otherwise fit it, drive gradients
/// and moments into denormal floats (which this CPU handles far more slowly) and time that instead of the step;
/// the arithmetic of a step does not depend on the rate.
/// </summary>
[MemoryDiagnoser]
public class DistillationStepBenchmarks
{
    private const int Batch = 128;
    private Trainer _trainer = null!;
    private Batch _batch;
    private StepContext _context;
    private readonly int[] _predictions = new int[Batch];

    [GlobalSetup(Target = nameof(StudentAlone))]
    public void SetupAlone() => Build(distil: false, teacherEveryStep: false);

    [GlobalSetup(Target = nameof(DistilledCachedTeacher))]
    public void SetupCached() => Build(distil: true, teacherEveryStep: false);

    [GlobalSetup(Target = nameof(DistilledTeacherEveryStep))]
    public void SetupEveryStep() => Build(distil: true, teacherEveryStep: true);

    [Benchmark(Baseline = true)]
    public float StudentAlone() => Step();

    [Benchmark]
    public float DistilledCachedTeacher() => Step();

    [Benchmark]
    public float DistilledTeacherEveryStep() => Step();

    private float Step() => _trainer.Step(_batch, _context, _predictions, out _, out _);

    private void Build(bool distil, bool teacherEveryStep)
    {
        var rng = new Rng(1);
        Tensor features = BenchData.Uniform(rng, -1f, 1f, 1024, 784);
        var data = new Dataset(features, BenchData.Labels(rng, 1024, 10), 10, "bench");
        var student = new Mlp(MlpSpec.Parse("784-128-10"), new Rng(2));
        var options = new TrainingOptions { BatchSize = Batch, LearningRate = 1e-9f };
        if (distil)
        {
            var teacher = new Mlp(MlpSpec.Parse("784-1200-1200-10", Activation.Relu, 0.5f), new Rng(3));
            var kd = new DistillationOptions { Temperature = ParameterSchedule.Constant(4f), Alpha = ParameterSchedule.Constant(0.9f) };
            var distiller = new Distiller(student, [Teacher.FromModel(teacher)], kd, options);
            distiller.Objective.Prepare(data);
            _trainer = distiller.Trainer;
        }
        else _trainer = new Trainer(student, options);
        int[] rows = Enumerable.Range(0, Batch).ToArray();
        _batch = new Batch(data.Subset(rows).Features, data.Labels.AsMemory(0, Batch), rows);
        _context = new StepContext(1, 0, 1000, Augmented: teacherEveryStep);
        for (int i = 0; i < 3; i++) Step();
    }
}
