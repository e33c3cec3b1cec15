using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Devices;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Gpu;

// Training and distillation through Trainer and Distiller with the model moved to the ILGPU backend (its CPU
// accelerator): the run tracks the CPU backend's. Float sums in another order make the runs drift apart slowly,
// so the bar is per-epoch losses within 1e-4 relative (the ILGPU CPU accelerator measured ~1e-7 after an epoch) and accuracies within one point, not bit equality.
[Collection(IlgpuCpuCollection.Name)]
public class GpuTrainingTests(IlgpuCpuFixture fixture)
{
    private const double LossRtol = 1e-4, AccuracyPoint = 0.01;
    private readonly GpuCompute _gpu = fixture.Gpu;

    [Fact]
    public void Training_an_mlp_with_dropout_and_clipping_on_the_gpu_backend_tracks_the_cpu_run()
    {
        var (train, validation) = (Synthetic(192, 1), Synthetic(60, 2));
        var options = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 3, ClipGradNorm = 1f, LearningRate = 1e-2f };
        IReadOnlyList<EpochResult> Run(ICompute backend)
        {
            var model = new Mlp(new MlpSpec([HostlessTrainerTests.Side * HostlessTrainerTests.Side, 24, HostlessTrainerTests.Classes], Activation.Relu, 0.25f), new Rng(9));
            model.To(backend);
            return new Trainer(model, options).Fit(train, validation);
        }
        AssertTracks(Run(CpuCompute.Default), Run(_gpu));
    }

    [Fact]
    public void Autograd_steps_with_every_loss_kernel_adam_and_clipping_track_the_cpu()
    {
        var (cpuModel, cpuLosses, cpuNorms) = HostlessTrainingTests.Train(CpuCompute.Default);
        var (gpuModel, gpuLosses, gpuNorms) = HostlessTrainingTests.Train(_gpu);
        Check.Close(cpuLosses, gpuLosses, 1e-6, 1e-5, "losses (CE + KL + MSE + BCE)");
        Check.Close(cpuNorms.Select(n => (float)n).ToArray(), gpuNorms.Select(n => (float)n).ToArray(), 1e-6, 1e-5, "gradient norms");
        foreach (var ((name, cpu), (_, gpu)) in cpuModel.NamedParameters().Zip(gpuModel.NamedParameters()))
        {
            Assert.Same(_gpu, gpu.Data.Backend);
            Check.Close(cpu.Data.ToArray(), gpu.Data.ToArray(), 1e-6, 1e-5, $"parameter {name}");
        }
    }

    [Fact]
    public void Distilling_from_one_moved_teacher_on_the_gpu_backend_tracks_the_cpu_run()
    {
        Dataset transfer = Synthetic(160, 5, unlabelledEvery: 3), validation = Synthetic(60, 6);
        var distillation = new DistillationOptions { Temperature = ParameterSchedule.Constant(3f), Alpha = ParameterSchedule.Constant(0.7f) };
        var training = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 8, LearningRate = 1e-2f };
        IReadOnlyList<EpochResult> Run(ICompute backend)
        {
            var teacher = new Mlp(new MlpSpec([HostlessTrainerTests.Side * HostlessTrainerTests.Side, 32, HostlessTrainerTests.Classes]), new Rng(21));
            new Trainer(teacher, new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 2 }).Fit(Synthetic(160, 7), null);
            teacher.To(backend);
            var student = new Mlp(new MlpSpec([HostlessTrainerTests.Side * HostlessTrainerTests.Side, 12, HostlessTrainerTests.Classes], Activation.Relu, 0.1f), new Rng(6));
            student.To(backend);
            return new Distiller(student, [Teacher.FromModel(teacher, "t")], distillation, training).Fit(transfer, validation);
        }
        AssertTracks(Run(CpuCompute.Default), Run(_gpu));
    }

    // The 4×4 synthetic images of the hostless trainer tests (every unlabelledEvery-th row unlabelled).
    private static Dataset Synthetic(int rows, ulong seed, int unlabelledEvery = 0) => HostlessTrainerTests.Data(rows, seed, unlabelledEvery);

    private static void AssertTracks(IReadOnlyList<EpochResult> cpu, IReadOnlyList<EpochResult> gpu)
    {
        Assert.Equal(cpu.Count, gpu.Count);
        for (int e = 0; e < cpu.Count; e++)
        {
            Assert.True(Math.Abs(cpu[e].TrainLoss - gpu[e].TrainLoss) <= LossRtol * Math.Abs(cpu[e].TrainLoss),
                $"epoch {e + 1}: train loss {gpu[e].TrainLoss} on the GPU backend, {cpu[e].TrainLoss} on the CPU");
            Assert.True(Math.Abs(cpu[e].TrainAccuracy - gpu[e].TrainAccuracy) <= AccuracyPoint,
                $"epoch {e + 1}: train accuracy {gpu[e].TrainAccuracy} on the GPU backend, {cpu[e].TrainAccuracy} on the CPU");
        }
        Assert.True(Math.Abs(cpu[^1].ValidationAccuracy!.Value - gpu[^1].ValidationAccuracy!.Value) <= AccuracyPoint,
            $"final validation accuracy {gpu[^1].ValidationAccuracy} on the GPU backend, {cpu[^1].ValidationAccuracy} on the CPU");
    }
}
