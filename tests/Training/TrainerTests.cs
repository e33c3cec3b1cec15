using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Training;

public class TrainerTests
{
    private static (Dataset Train, Dataset Test) StandardizedSample()
    {
        var (train, test) = FashionMnistSample.Load();
        var standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        standardizer.Apply(test);
        return (train, test);
    }

    [Fact]
    public void Mlp_784_256_10_reaches_82_percent_on_the_embedded_sample_in_five_epochs()
    {
        var (train, test) = StandardizedSample();
        var model = new Mlp(MlpSpec.Parse("784-256-10"), new Rng(42));
        new Trainer(model, new TrainingOptions { Epochs = 5, Seed = 42 }).Fit(train);
        double accuracy = Evaluation.Run(model, test).Accuracy;
        Assert.True(accuracy >= 0.82, $"test accuracy {accuracy:P2} < 82% (seed 42)");
    }

    [Fact]
    public void Same_seed_twice_gives_bit_identical_weights_with_dropout()
    {
        var (train, _) = FashionMnistSample.Load();
        var small = train.Subset(Enumerable.Range(0, 1000).ToArray());
        float[] Run()
        {
            var model = new Mlp(MlpSpec.Parse("784-64-32-10", dropout: 0.3f), new Rng(7));
            new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 64, Seed = 7 }).Fit(small);
            return model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        }
        float[] first = Run(), second = Run();
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(first[i]) == BitConverter.SingleToInt32Bits(second[i]), $"weight {i} differs: {first[i]} vs {second[i]}");
    }

    [Fact]
    public void Different_seeds_give_different_weights()
    {
        var (train, _) = FashionMnistSample.Load();
        var small = train.Subset(Enumerable.Range(0, 256).ToArray());
        float[] Run(ulong seed)
        {
            var model = new Mlp(MlpSpec.Parse("784-16-10"), new Rng(seed));
            new Trainer(model, new TrainingOptions { Epochs = 1, BatchSize = 64, Seed = seed }).Fit(small);
            return model.Parameters()[0].Data.ToArray();
        }
        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void A_diverging_run_stops_with_an_error_naming_epoch_and_batch()
    {
        var (train, _) = FashionMnistSample.Load();
        var small = train.Subset(Enumerable.Range(0, 512).ToArray());
        small.Features.Span[0] = float.NaN;
        var model = new Mlp(MlpSpec.Parse("784-8-10"), new Rng(1));
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(model, new TrainingOptions { Epochs = 1, BatchSize = 512, Seed = 1 }).Fit(small));
        Assert.Contains("epoch 1, batch 1", ex.Message);
    }

    private static Dataset SmallStandardizedSample(int rows)
    {
        var (train, _) = StandardizedSample();
        return train.Subset(Enumerable.Range(0, rows).ToArray());
    }

    [Fact]
    public void Adam_at_a_huge_learning_rate_diverges_with_finite_losses_and_the_run_fails_saying_so()
    {
        var model = new Mlp(MlpSpec.Parse("784-32-10"), new Rng(5));
        var options = new TrainingOptions { Epochs = 2, BatchSize = 100, LearningRate = 1e6f, Seed = 5 };
        var ex = Assert.Throws<TrainingDivergedException>(() => new Trainer(model, options).Fit(SmallStandardizedSample(1000)));
        Assert.Contains("untrained model's", ex.Message);
        Assert.Contains("learning rate", ex.Message);
    }

    [Fact]
    public void A_diverged_run_allowed_to_diverge_ends_normally_and_says_why()
    {
        var model = new Mlp(MlpSpec.Parse("784-32-10"), new Rng(5));
        var options = new TrainingOptions { Epochs = 2, BatchSize = 100, LearningRate = 1e6f, Seed = 5, AllowDivergence = true };
        var trainer = new Trainer(model, options);
        trainer.Fit(SmallStandardizedSample(1000));
        Assert.NotNull(trainer.Divergence);
    }

    [Fact]
    public void A_healthy_run_reports_no_divergence()
    {
        var model = new Mlp(MlpSpec.Parse("784-32-10"), new Rng(5));
        var trainer = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 100, Seed = 5 });
        trainer.Fit(SmallStandardizedSample(1000));
        Assert.Null(trainer.Divergence);
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.Epochs))]
    [InlineData(nameof(TrainingOptions.BatchSize))]
    [InlineData(nameof(TrainingOptions.LearningRate))]
    [InlineData(nameof(TrainingOptions.LabelSmoothing))]
    public void Invalid_options_are_rejected_naming_the_option(string option)
    {
        var options = option switch
        {
            nameof(TrainingOptions.Epochs) => new TrainingOptions { Epochs = 0 },
            nameof(TrainingOptions.BatchSize) => new TrainingOptions { BatchSize = 0 },
            nameof(TrainingOptions.LearningRate) => new TrainingOptions { LearningRate = float.NaN },
            _ => new TrainingOptions { LabelSmoothing = 1.5f },
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, ex.ParamName);
    }
}

[Collection(AllocationCollection.Name)]
public class TrainerAllocationTests
{
    [Fact]
    public void A_steady_state_training_step_allocates_no_managed_memory_on_any_thread()
    {
        // 128 × 784 × 128 multiply-adds in the first layer's products: above the GEMM's parallel threshold.
        var (train, _) = FashionMnistSample.Load();
        var model = new Mlp(MlpSpec.Parse("784-128-10", dropout: 0.2f), new Rng(3));
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = 128, ClipGradNorm = 5f });
        var loader = new BatchLoader(train, 128, seed: 3);
        var predictions = new int[128];
        loader.StartEpoch(1);
        Allocations.AssertNone(() =>
        {
            for (int i = 0; i < 8; i++)
            {
                loader.Next(out Batch batch);
                trainer.Step(batch, predictions, out _);
            }
        }, "8 training steps of 784-128-10 at batch 128");
    }
}
