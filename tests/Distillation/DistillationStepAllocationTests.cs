using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Distillation;

// A distillation step allocates nothing once warm, like a plain training step, counted on every thread (GEMM workers
// included): with cached teacher logits gathered, two teachers mixed, soft targets, logit matching and a hint whose
// teacher runs on the batch; and with augmentation, where the teacher scores every shifted batch.
[Collection(AllocationCollection.Name)]
public class DistillationStepAllocationTests
{
    [Fact]
    public void A_steady_state_distillation_step_allocates_no_managed_memory()
    {
        var (train, _) = FashionMnistSample.Load();
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
        int step = 0;
        Allocations.AssertNone(() =>
        {
            for (int i = 0; i < 4; i++, step++)
            {
                loader.Next(out Batch batch);
                distiller.Trainer.Step(batch, new StepContext(1, step, 100, false), predictions, out _, out _);
            }
        }, "4 distillation steps from two cached teachers with a hint");
    }

    [Fact]
    public void A_steady_state_augmented_distillation_step_allocates_no_managed_memory()
    {
        var (train, _) = FashionMnistSample.Load();
        var teacher = new Mlp(MlpSpec.Parse("784-256-10", Activation.Relu, dropout: 0.5f), new Rng(1));
        var student = new Mlp(MlpSpec.Parse("784-32-10"), new Rng(2));
        var kd = new DistillationOptions { Temperature = ParameterSchedule.Constant(4f), Alpha = ParameterSchedule.Constant(0.9f) };
        var training = new TrainingOptions { BatchSize = 128, Augmentation = new ImageAugmentation(28, 28, MaxShift: 2) };
        var distiller = new Distiller(student, [Teacher.FromModel(teacher)], kd, training);
        distiller.Objective.Prepare(train);
        var loader = new BatchLoader(train, 128, seed: 3);
        var predictions = new int[128];
        ImageAugmentation shift = training.Augmentation;
        loader.StartEpoch(1);
        int step = 0;
        // Per batch what Trainer's epoch loop does with augmentation on: shift the images in place, then a step whose
        // context says the features differ from the dataset's rows, so the teacher (128 × 784 × 256 multiply-adds,
        // above the GEMM's parallel threshold) runs on them.
        Allocations.AssertNone(() =>
        {
            for (int i = 0; i < 4; i++, step++)
            {
                loader.Next(out Batch batch);
                ImageShift.Apply(batch.Features.Span, batch.Count, shift.Height, shift.Width, batch.Indices.Span, seed: 5, epoch: 1,
                    shift.MaxShift, shift.Fill);
                distiller.Trainer.Step(batch, new StepContext(1, step, 100, Augmented: true), predictions, out _, out _);
            }
        }, "4 augmented distillation steps with a 784-256-10 teacher run on each batch");
    }
}
