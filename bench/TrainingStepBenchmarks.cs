using BenchmarkDotNet.Attributes;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// One full training step at batch 128 (reset, forward, loss, zero-grad, backward, Adam step) on seeded random
/// data: plain cross-entropy, and the distillation loss 0.9·T²·KL(student ‖ teacher, T = 4) + 0.1·CE against a
/// frozen teacher's precomputed logits — the models, data and loss of <see cref="BenchCases"/>, which
/// <c>tinykd bench</c> times too. The step is run a few times in setup, so the graph's pools are full and
/// the "Allocated" column shows what one steady-state step allocates (the design promises nothing).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private const int WarmupSteps = 3;

    private Mlp _model = null!;
    private Graph _graph = null!;
    private Adam _optimizer = null!;
    private Tensor _inputs, _teacherLogits;
    private int[] _labels = null!;
    private float _initialLoss;

    [Params(BenchCases.Student, BenchCases.Teacher)]
    public string Architecture { get; set; } = "";

    [GlobalSetup(Target = nameof(CrossEntropyStep))]
    public void SetupCrossEntropy() => Build(() => CrossEntropyStep());

    [GlobalSetup(Target = nameof(DistillationStep))]
    public void SetupDistillation() => Build(() => DistillationStep());

    [Benchmark]
    public Variable CrossEntropyStep()
    {
        _graph.Reset();
        Variable logits = _model.Forward(_graph.Input(_inputs));
        Variable loss = Losses.CrossEntropy(logits, _labels);
        return Optimize(loss);
    }

    [Benchmark]
    public Variable DistillationStep()
    {
        _graph.Reset();
        Variable logits = _model.Forward(_graph.Input(_inputs));
        return Optimize(BenchCases.DistillationLoss(logits, _graph.Input(_teacherLogits), _labels));
    }

    /// <summary>
    /// Prints the batch's cross-entropy before the first step and after all the steps BenchmarkDotNet ran on it: it
    /// falls as Adam fits the batch; a NaN would mean the timings are of a diverged model.
    /// </summary>
    [GlobalCleanup]
    public void Cleanup() =>
        Console.WriteLine($"// {Architecture}: cross-entropy on the batch {_initialLoss:G4} before training, " +
            $"{CrossEntropyOnBatch():G4} after {_optimizer.StepCount} steps.");

    private Variable Optimize(Variable loss)
    {
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        return loss;
    }

    private void Build(Action step)
    {
        var spec = MlpSpec.Parse(Architecture);
        _model = new Mlp(spec, new Rng(1));
        _graph = new Graph();
        _optimizer = new Adam(_model.Parameters(), 1e-3f);
        (_inputs, _labels, _teacherLogits) = BenchCases.StepData(spec, BenchCases.TrainBatch);
        _initialLoss = CrossEntropyOnBatch();
        for (int i = 0; i < WarmupSteps; i++) step();
    }

    private float CrossEntropyOnBatch()
    {
        using var _ = GradMode.NoGrad();
        _graph.Reset();
        Variable logits = _model.Forward(_graph.Input(_inputs));
        return Losses.CrossEntropy(logits, _labels).Item();
    }
}
