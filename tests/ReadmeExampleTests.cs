using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Tests;

// The README's C# example, verbatim but for one epoch, so the documented API keeps compiling and working.
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_training_loop_learns_the_embedded_sample()
    {
        var (train, test) = FashionMnist.LoadEmbedded();
        var standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        standardizer.Apply(test);

        var model = new Mlp(MlpSpec.Parse("784-256-10"), new Rng(seed: 42));
        var optimizer = new Adam(model.Parameters(), learningRate: 1e-3f);
        var graph = new Graph();
        var loader = new BatchLoader(train, batchSize: 128, seed: 42);

        for (int epoch = 1; epoch <= 1; epoch++)
        {
            loader.StartEpoch(epoch);
            while (loader.Next(out Batch batch))
            {
                graph.Reset();
                Variable logits = model.Forward(graph.Input(batch.Features));
                Variable loss = Losses.CrossEntropy(logits, batch.Labels);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
        }

        double accuracy = Evaluation.Run(model, test).Accuracy;
        Assert.True(accuracy > 0.75, $"accuracy after one epoch {accuracy:P2} (seed 42)");
    }

    [Fact]
    public void The_readme_distillation_example_runs_and_teaches_the_student()
    {
        var (train, test) = FashionMnist.LoadEmbedded();
        var standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        standardizer.Apply(test);

        var (fit, validation) = train.Split(0.1, seed: 1);
        var teacher = new Mlp(MlpSpec.Parse("784-64-10", Activation.Relu, dropout: 0.5f), new Rng(seed: 1));
        new Trainer(teacher, new TrainingOptions { Epochs = 2, Seed = 1 }).Fit(fit, validation);

        var student = new Mlp(MlpSpec.Parse("784-16-10"), new Rng(seed: 1));
        var kd = new DistillationOptions { Temperature = ParameterSchedule.Constant(4f), Alpha = ParameterSchedule.Constant(0.9f) };
        new Distiller(student, [Teacher.FromModel(teacher)], kd, new TrainingOptions { Epochs = 3, Seed = 1 }).Fit(fit, validation);

        double accuracy = Evaluation.Run(student, test).Accuracy;
        Assert.True(accuracy > 0.72, $"distilled student accuracy after three epochs (its 2-epoch teacher: ~77%) {accuracy:P2} (seed 1)");
    }
}
