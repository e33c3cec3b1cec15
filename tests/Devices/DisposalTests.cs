using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Recommender;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Devices;

// Modules and optimizers release the device memory they own when disposed (not at a finalizer), once, and refuse use
// afterwards by name; an optimizer's disposal leaves the parameters, which belong to the module.
public class DisposalTests
{
    // A model with a dense and a sparse parameter on the hostless backend, after one Adam step.
    private static (Module Model, Adam Adam, Variable Dense, Variable Sparse) Trained(HostlessCompute device)
    {
        var table = new Embedding(6, 3, new Rng(1));
        var linear = new Linear(3, 2, new Rng(2));
        var model = new Sequential(linear);
        var both = new Pair(table, model);
        both.To(device);
        var adam = new Adam(both.Parameters(), 0.1f);
        var graph = new Graph(device);
        Variable y = linear.Forward(table.Forward(graph, new[] { 4, 1, 4 }));
        Ops.Sum(y).Backward();
        adam.Step();
        return (both, adam, linear.Parameters().First(), table.Weight);
    }

    [Fact]
    public void Disposing_a_module_releases_every_parameter_and_gradient_once()
    {
        var (model, _, dense, sparse) = Trained(new HostlessCompute());
        Tensor value = dense.Data, gradient = dense.Grad, sparseValue = sparse.Data, sparseRows = sparse.SparseGrad!.Values;
        model.Dispose();
        Assert.True(model.IsDisposed);
        Assert.All(new[] { value, gradient, sparseValue, sparseRows }, t => Assert.True(t.Storage.IsDisposed, "device memory outlived Dispose"));
        model.Dispose(); // idempotent
    }

    [Fact]
    public void A_disposed_module_refuses_use_naming_its_type()
    {
        var (model, _, _, _) = Trained(new HostlessCompute());
        model.Dispose();
        Check.Throws<ObjectDisposedException>(() => model.Parameters(), nameof(Pair));
        Check.Throws<ObjectDisposedException>(() => model.To(CpuCompute.Default), nameof(Pair));
        Check.Throws<ObjectDisposedException>(() => model.Train(), nameof(Pair));
    }

    [Fact]
    public void Disposing_an_optimizer_releases_its_moments_and_keeps_the_parameters()
    {
        var (model, adam, dense, _) = Trained(new HostlessCompute());
        IReadOnlyList<Tensor> state = adam.StateTensors();
        adam.Dispose();
        adam.Dispose();
        Assert.All(state, t => Assert.True(t.Storage.IsDisposed, "an Adam moment outlived Dispose"));
        Assert.False(dense.Data.Storage.IsDisposed);
        Check.Throws<ObjectDisposedException>(() => adam.Step(), nameof(Adam));
        Check.Throws<ObjectDisposedException>(() => adam.ZeroGrad(), nameof(Adam));
        model.Dispose();
    }

    [Fact]
    public void Disposing_a_cpu_model_and_its_optimizer_frees_nothing_the_collector_owns()
    {
        var model = new Linear(3, 2, new Rng(3));
        var sgd = new Sgd(model.Parameters(), 0.1f, momentum: 0.9f);
        Tensor weight = model.Parameters()[0].Data, momentum = sgd.StateTensors()[0];
        sgd.Dispose();
        model.Dispose();
        Assert.False(weight.Storage.IsDisposed);
        Assert.False(momentum.Storage.IsDisposed);
    }

    [Fact]
    public void A_trained_model_and_its_trainer_once_disposed_hold_no_device_memory()
    {
        var device = new HostlessCompute();
        var (train, validation) = (HostlessTrainerTests.Data(64, 1), HostlessTrainerTests.Data(16, 2));
        var model = new Mlp(new MlpSpec([HostlessTrainerTests.Side * HostlessTrainerTests.Side, 8, HostlessTrainerTests.Classes]), new Rng(1));
        model.To(device);
        var trainer = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 24, ClipGradNorm = 1f, RestoreBestWeights = true, AllowDivergence = true });
        trainer.Fit(train, validation);
        trainer.Dispose();
        trainer.Dispose();
        Assert.False(model.IsDisposed);
        model.Dispose();
        AssertNothingLive(device);
    }

    [Fact]
    public void A_distillation_with_a_hint_once_its_distiller_student_and_teacher_are_disposed_holds_no_device_memory()
    {
        var device = new HostlessCompute();
        int inputs = HostlessTrainerTests.Side * HostlessTrainerTests.Side;
        var teacher = new Mlp(new MlpSpec([inputs, 16, HostlessTrainerTests.Classes]), new Rng(21));
        var student = new Mlp(new MlpSpec([inputs, 8, HostlessTrainerTests.Classes]), new Rng(6));
        teacher.To(device);
        student.To(device);
        var distillation = new DistillationOptions { LogitMatchingWeight = 0.1f, HintWeight = 0.05f, HintLayers = (1, 1) };
        var distiller = new Distiller(student, [Teacher.FromModel(teacher, "t")], distillation,
            new TrainingOptions { Epochs = 1, BatchSize = 16, AllowDivergence = true });
        distiller.Fit(HostlessTrainerTests.Data(48, 5), HostlessTrainerTests.Data(16, 6));
        distiller.Dispose();
        distiller.Dispose();
        student.Dispose();
        teacher.Dispose();
        AssertNothingLive(device);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_trained_and_scored_recommender_and_its_trainer_once_disposed_hold_no_device_memory(bool neuMF)
    {
        var device = new HostlessCompute();
        InteractionData data = RecommenderFixtures.Data;
        RecommenderModel model = neuMF
            ? new NeuMF(data.UserCount, data.ItemCount, RecommenderFixtures.Genres, new NeuMFSpec(8, 4, [16]), new Rng(2))
            : new MatrixFactorization(data.UserCount, data.ItemCount, 8, new Rng(2));
        model.To(device);
        using (var trainer = new RecommenderTrainer(model, data, new RecommenderTrainingOptions { Epochs = 1, BatchSize = 64, Seed = 5 }))
            trainer.Fit();
        model.ScoreAll([0, 1], new float[2 * data.ItemCount]); // scoring scratch, and NeuMF's precomputed item side
        model.Dispose();
        AssertNothingLive(device);
    }

    [Fact]
    public void A_graph_releases_a_pooled_buffer_when_a_larger_step_replaces_it()
    {
        var device = new HostlessCompute();
        using var model = new Mlp(MlpSpec.Parse("5-7-3"), new Rng(4));
        model.To(device);
        using var graph = new Graph(device);
        int Step(int batch)
        {
            graph.Reset();
            Tensor x = Tensor.Upload(Check.Random(9, -1f, 1f, batch, 5).ToArray(), new Shape(batch, 5), device);
            Losses.CrossEntropy(model.Forward(graph.Input(x)), Enumerable.Range(0, batch).Select(i => i % 3).ToArray()).Backward();
            DeviceMemory.Release(x);
            return device.LiveStorages.Count;
        }
        int small = Step(2);
        Assert.Equal(small, Step(2));
        // Every result, gradient and scratch buffer grows; the ones they replace must go, not wait for Dispose.
        Assert.Equal(small, Step(9));
    }

    private static void AssertNothingLive(HostlessCompute device)
    {
        IReadOnlyList<BackendMemory> live = device.LiveStorages;
        Assert.True(live.Count == 0, $"{live.Count} storages outlived Dispose: {string.Join(", ", live.Select(s => $"{s.GetType().Name}[{s.Length}]"))}");
    }

    private sealed class Pair(Module first, Module second) : Module
    {
        protected override IEnumerable<(string Name, Module Child)> Children() => [("first", first), ("second", second)];
    }
}
