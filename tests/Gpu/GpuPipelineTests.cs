using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Reports;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Data;
using TinyKd.Tensors;

namespace TinyKd.Tests.Gpu;

// The pipeline with its teacher and students trained on ILGPU's CPU accelerator: the same verdict path, every model
// (the pruned and int8 ones made on the CPU from the device-trained students) scoring as the CPU run's.
[Collection(IlgpuCpuCollection.Name)]
public sealed class GpuPipelineTests(IlgpuCpuFixture fixture)
{
    private static Dataset Rows(int count, int seed, string name)
    {
        var (features, labels) = OwnDataFiles.Rows(count, seed);
        return new Dataset(Tensor.FromArray(features, count, features.Length / count), labels, 3, name);
    }

    private static ScenarioReport Run(ICompute backend)
    {
        Dataset train = Rows(480, 1, "train"), test = Rows(90, 2, "test");
        var standardizer = Standardizer.Fit(train, StandardizationMode.PerFeature);
        standardizer.Apply(train);
        standardizer.Apply(test);
        var options = new PipelineOptions
        {
            Teacher = MlpSpec.Parse("12-24-3", Activation.Relu, 0.1f),
            Student = MlpSpec.Parse("12-8-3"),
            TeacherEpochs = 4,
            StudentEpochs = 4,
            LearningRate = 0.01f,
            Seeds = [1, 2],
            Scenarios = [Scenario.AllLabels],
            Temperatures = [4f],
            Alphas = [0.5f],
            PruneSparsities = [0.5],
            PruneEpochs = 2,
            PrunedLayout = ServingLayout.Sparse,
        };
        using var dir = new TempDirectory();
        return new DistillationPipeline(options) { Backend = backend }.Run(train, test, dir.Path).Single();
    }

    [Fact]
    public void The_pipeline_trained_on_the_device_scores_every_model_as_the_cpu_run()
    {
        ScenarioReport cpu = Run(CpuCompute.Default), device = Run(fixture.Gpu);

        Assert.Equal(cpu.Models.Select(m => m.Name), device.Models.Select(m => m.Name));
        Assert.True(cpu.Models[0].Accuracy.Mean > 0.6, $"the teacher learned: {cpu.Models[0].Accuracy.Mean} test accuracy");
        // The device sums in another order: a model may differ by a test row (1/90) per seed from the CPU's, no more.
        foreach (var (onCpu, onDevice) in cpu.Models.Zip(device.Models))
            Assert.True(Math.Abs(onCpu.Accuracy.Mean - onDevice.Accuracy.Mean) <= 1.0 / 90 + 1e-9,
                $"{onCpu.Name}: test accuracy {onDevice.Accuracy.Mean} on the device, {onCpu.Accuracy.Mean} on the CPU");
        Assert.Equal(cpu.Comparison.Verdict, device.Comparison.Verdict);
    }
}
