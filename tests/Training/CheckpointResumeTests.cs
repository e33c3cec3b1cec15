using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;
using TinyKd.Tests.Data;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Training;

// Checkpoints: a run stopped after any epoch and resumed ends bit-identical to one that never stopped; damaged or
// foreign checkpoints are refused. (The kill -9 of a real process is in tests/Cli/KillResumeTests.cs.)
public class CheckpointResumeTests
{
    private static (Dataset Train, Dataset Validation) Data()
    {
        var (train, _) = FashionMnistSample.Load();
        Standardizer.Fit(train).Apply(train);
        return train.Subset(Enumerable.Range(0, 1200).ToArray()).Split(0.2, 3);
    }

    private sealed class Stop : Exception;

    private static float[] Weights(Module m) => m.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();

    private static void AssertBitIdentical(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"weight {i}: {expected[i]} vs {actual[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_run_interrupted_after_an_epoch_and_resumed_ends_bit_identical(int stopAfter)
    {
        var (train, validation) = Data();
        using var dir = new TempDirectory();
        var options = new TrainingOptions { Epochs = 4, BatchSize = 64, Seed = 5, CheckpointPath = dir.File("run.ckpt"), Resume = true };
        Mlp Fresh() => new(MlpSpec.Parse("784-32-16-10", dropout: 0.3f), new Rng(5));

        var uninterrupted = Fresh();
        var straight = new Trainer(uninterrupted, options with { CheckpointPath = dir.File("straight.ckpt") }).Fit(train, validation);

        Assert.Throws<Stop>(() => new Trainer(Fresh(), options).Fit(train, validation, p =>
        {
            if (p.EpochDone && p.Epoch == stopAfter) throw new Stop();
        }));
        Assert.Throws<Stop>(() => new Trainer(Fresh(), options).Fit(train, validation, p =>
        {
            if (!p.EpochDone && p.Epoch == stopAfter + 1 && p.Batch == 3) throw new Stop();
        }));
        var resumed = Fresh();
        var history = new Trainer(resumed, options).Fit(train, validation);

        AssertBitIdentical(Weights(uninterrupted), Weights(resumed));
        Assert.Equal(straight.Select(h => h.ValidationAccuracy), history.Select(h => h.ValidationAccuracy));
    }

    [Fact]
    public void A_distillation_run_with_a_hint_resumes_bit_identical_too()
    {
        var (train, validation) = Data();
        var teacher = new Mlp(MlpSpec.Parse("784-48-10"), new Rng(9));
        new Trainer(teacher, new TrainingOptions { Epochs = 1, Seed = 9 }).Fit(train);
        using var dir = new TempDirectory();
        var training = new TrainingOptions { Epochs = 3, BatchSize = 64, Seed = 2, CheckpointPath = dir.File("kd.ckpt"), Resume = true };
        var kd = new DistillationOptions { HintLayers = (1, 1), HintWeight = 0.5f, LogitMatchingWeight = 0.1f, Temperature = ParameterSchedule.Parse("linear:8:2") };
        Mlp Fresh() => new(MlpSpec.Parse("784-24-10"), new Rng(2));

        var straight = Fresh();
        new Distiller(straight, [Teacher.FromModel(teacher)], kd, training with { CheckpointPath = null, Resume = false }).Fit(train, validation);
        Assert.Throws<Stop>(() => new Distiller(Fresh(), [Teacher.FromModel(teacher)], kd, training).Fit(train, validation, p =>
        {
            if (p.EpochDone && p.Epoch == 2) throw new Stop();
        }));
        var resumed = Fresh();
        new Distiller(resumed, [Teacher.FromModel(teacher)], kd, training).Fit(train, validation);
        AssertBitIdentical(Weights(straight), Weights(resumed));
    }

    [Fact]
    public void A_checkpoint_of_another_run_is_refused()
    {
        var (train, validation) = Data();
        using var dir = new TempDirectory();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 64, Seed = 5, CheckpointPath = dir.File("run.ckpt"), Resume = true };
        new Trainer(new Mlp(MlpSpec.Parse("784-8-10"), new Rng(1)), options).Fit(train, validation);
        Check.Throws<InvalidDataException>(() => new Trainer(new Mlp(MlpSpec.Parse("784-8-10"), new Rng(1)), options with { LearningRate = 0.01f }).Fit(train, validation),
            "run.ckpt", "another run");
    }

    [Fact]
    public void A_damaged_checkpoint_is_refused_naming_it()
    {
        var (train, validation) = Data();
        using var dir = new TempDirectory();
        string path = dir.File("run.ckpt");
        var options = new TrainingOptions { Epochs = 1, BatchSize = 64, Seed = 5, CheckpointPath = path, Resume = true };
        new Trainer(new Mlp(MlpSpec.Parse("784-8-10"), new Rng(1)), options).Fit(train, validation);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Check.Throws<InvalidDataException>(() => new Trainer(new Mlp(MlpSpec.Parse("784-8-10"), new Rng(1)), options).Fit(train, validation),
            "Checkpoint", "run.ckpt", "checksum");
    }

    [Fact]
    public void Early_stopping_ends_the_run_and_keeps_the_best_epochs_weights()
    {
        var (train, validation) = Data();
        var model = new Mlp(MlpSpec.Parse("784-64-10"), new Rng(4));
        // A learning rate far too high makes validation accuracy fall after the first epochs.
        var trainer = new Trainer(model, new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 0.05f, Patience = 2, Seed = 4, Schedule = ScheduleKind.Constant });
        var history = trainer.Fit(train, validation);
        Assert.True(trainer.StoppedEarly, $"ran all {history.Count} epochs");
        Assert.Equal(trainer.BestEpoch + 2, history.Count);
        double best = history.Max(h => h.ValidationAccuracy!.Value);
        Assert.Equal(best, history[trainer.BestEpoch - 1].ValidationAccuracy);
        Assert.Equal(best, Evaluation.Run(model, validation).Accuracy);
    }

    [Fact]
    public void Patience_without_validation_is_rejected()
    {
        var (train, _) = Data();
        Check.Throws<ArgumentException>(() => new Trainer(new Mlp(MlpSpec.Parse("784-8-10"), new Rng(1)), new TrainingOptions { Patience = 3 }).Fit(train),
            "patience 3", "validation");
    }
}
