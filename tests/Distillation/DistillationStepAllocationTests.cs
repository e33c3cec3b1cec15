using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Tests.Distillation;

// A distillation step — cached teacher logits gathered, two teachers mixed, soft targets, logit matching and a hint
// whose teacher runs on the batch — allocates nothing once warm, like a plain training step.
public class DistillationStepAllocationTests
{
    [Fact]
    public void A_steady_state_distillation_step_allocates_no_managed_memory()
    {
        var (train, _) = FashionMnist.LoadEmbedded();
        var transfer = train.WithLabelsOnly(Enumerable.Range(0, 5000).ToArray());
        var first = new Mlp(MlpSpec.Parse("784-64-10"), new Rng(1));
        var second = new Mlp(MlpSpec.Parse("784-32-10"), new Rng(2));
        var student = new Mlp(MlpSpec.Parse("784-16-10"), new Rng(3));
        var options = new DistillationOptions
        {
            Temperature = ParameterSchedule.Parse("cosine:8:2"),
            LogitMatchingWeight = 0.1f,
            HintLayers = (1, 1),
            HintWeight = 0.5f,
        };
        var distiller = new Distiller(student, [Teacher.FromModel(first), Teacher.FromModel(second, weight: 2f)], options, new TrainingOptions { BatchSize = 128 });
        distiller.Objective.Prepare(transfer);
        var loader = new BatchLoader(transfer, 128, seed: 3);
        var predictions = new int[128];
        loader.StartEpoch(1);
        void Step(int i)
        {
            loader.Next(out Batch batch);
            distiller.Trainer.Step(batch, new StepContext(1, i, 100, false), predictions, out _, out _);
        }
        for (int i = 0; i < 3; i++) Step(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 3; i < 23; i++) Step(i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
