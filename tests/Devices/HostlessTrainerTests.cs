using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Tests.Devices;

// The training loop, evaluation and distillation on a backend whose memory the host cannot read: with the model (and
// teachers) moved there, a run is bit for bit the CPU's, and a step transfers only the batch and what it reports.
public class HostlessTrainerTests
{
    internal const int Side = 4, Classes = 3;

    [Fact]
    public void Training_with_dropout_clipping_augmentation_validation_and_best_weights_matches_the_cpu_bit_for_bit()
    {
        var (train, validation) = (Data(240, 1), Data(60, 2));
        var options = new TrainingOptions
        {
            Epochs = 3, BatchSize = 32, Seed = 3, ClipGradNorm = 1f, LearningRate = 1e-2f, RestoreBestWeights = true,
            Augmentation = new ImageAugmentation(Side, Side, MaxShift: 1),
        };
        (Mlp Model, IReadOnlyList<EpochResult> History) Run(ICompute backend)
        {
            var model = new Mlp(new MlpSpec([Side * Side, 24, Classes], Activation.Relu, 0.25f), new Rng(9));
            model.To(backend);
            return (model, new Trainer(model, options).Fit(train, validation));
        }
        var device = new HostlessCompute();
        var (cpu, cpuHistory) = Run(CpuCompute.Default);
        var (moved, deviceHistory) = Run(device);

        Assert.Equal(cpuHistory.Select(h => (h.TrainLoss, h.TrainAccuracy, h.ValidationAccuracy)),
            deviceHistory.Select(h => (h.TrainLoss, h.TrainAccuracy, h.ValidationAccuracy)));
        AssertSameParameters(cpu, moved, device);
        Assert.Equal(Evaluation.Predict(cpu, validation.Features, Classes), Evaluation.Predict(moved, validation.Features, Classes));
    }

    [Fact]
    public void A_training_step_uploads_the_features_and_labels_once_and_downloads_only_the_loss_the_norms_and_the_predictions()
    {
        var device = new HostlessCompute();
        var model = new Mlp(new MlpSpec([Side * Side, 8, Classes]), new Rng(1));
        model.To(device);
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = 16, ClipGradNorm = 1f });
        var batch = new Batch(Data(16, 4).Features, Enumerable.Range(0, 16).Select(i => i % Classes).ToArray());
        var predictions = new int[16];
        trainer.Step(batch, predictions, out _);
        var (uploads, downloads) = (device.Uploads, device.Downloads);
        trainer.Step(batch, predictions, out _);
        Assert.Equal(2, device.Uploads - uploads);     // the features and the labels, read by the loss and its backward in place
        Assert.Equal(3, device.Downloads - downloads); // the loss, the gradient norms and the arg-max predictions
    }

    [Fact]
    public void Distilling_from_two_moved_teachers_with_logit_matching_a_hint_and_augmentation_matches_the_cpu_bit_for_bit()
    {
        Dataset transfer = Data(200, 5, unlabelledEvery: 3);
        var distillation = new DistillationOptions
        {
            Temperature = ParameterSchedule.Constant(3f), Alpha = ParameterSchedule.Constant(0.7f),
            LogitMatchingWeight = 0.1f, HintWeight = 0.05f, HintLayers = (1, 1),
        };
        var training = new TrainingOptions
        {
            Epochs = 2, BatchSize = 32, Seed = 8, LearningRate = 5e-3f, AllowDivergence = true, Augmentation = new ImageAugmentation(Side, Side, MaxShift: 1),
        };
        Mlp Run(ICompute backend)
        {
            Mlp Network(ulong seed) => (Mlp)new Mlp(new MlpSpec([Side * Side, 32, Classes]), new Rng(seed)).To(backend);
            var student = new Mlp(new MlpSpec([Side * Side, 12, Classes], Activation.Relu, 0.1f), new Rng(6));
            student.To(backend);
            Teacher[] teachers = [TinyKd.Distill.Distillation.Teacher.FromModel(Network(21), "a"), TinyKd.Distill.Distillation.Teacher.FromModel(Network(22), "b", 0.5f)];
            new Distiller(student, teachers, distillation, training).Fit(transfer);
            return student;
        }
        var device = new HostlessCompute();
        AssertSameParameters(Run(CpuCompute.Default), Run(device), device);
    }

    private static void AssertSameParameters(Mlp cpu, Mlp moved, ICompute device)
    {
        Assert.Same(device, moved.Backend);
        foreach (var ((name, expected), (_, actual)) in cpu.NamedParameters().Zip(moved.NamedParameters()))
            Assert.True(expected.Data.ToArray().AsSpan().SequenceEqual(actual.Data.ToArray()), $"parameter {name} differs from the CPU run");
    }

    // Rows of 4×4 "images" whose class is the brightest quarter among the first three; every unlabelledEvery-th row unlabelled.
    internal static Dataset Data(int rows, ulong seed, int unlabelledEvery = 0)
    {
        var rng = new Rng(seed);
        var x = new float[rows * Side * Side];
        rng.FillNormal(x, 0f, 1f);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.AsSpan(r * Side * Side, Side * Side);
            float[] quarter = [row[..4].ToArray().Sum(), row[4..8].ToArray().Sum(), row[8..12].ToArray().Sum()];
            labels[r] = unlabelledEvery > 0 && r % unlabelledEvery == 0 ? Dataset.Unlabelled : Array.IndexOf(quarter, quarter.Max());
        }
        return new Dataset(Tensor.FromArray(x, rows, Side * Side), labels, Classes, $"synthetic-{seed}");
    }
}
