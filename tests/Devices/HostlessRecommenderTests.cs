using TinyKd.Autograd.Nn;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Recommender;

namespace TinyKd.Tests.Devices;

// The recommender trainer and all-item scoring on a backend whose memory the host cannot read: with the model moved
// there, every ranking loss and distillation term trains bit for bit as on the CPU, and ScoreAll gives the CPU's scores.
public class HostlessRecommenderTests
{
    public static TheoryData<RankingLoss, RankingDistillation, bool> Cases()
    {
        var data = new TheoryData<RankingLoss, RankingDistillation, bool>();
        foreach (RankingLoss loss in Enum.GetValues<RankingLoss>()) data.Add(loss, RankingDistillation.None, true);
        foreach (RankingDistillation distillation in Enum.GetValues<RankingDistillation>().Where(d => d != RankingDistillation.None))
        {
            data.Add(RankingLoss.Bce, distillation, true);
            data.Add(RankingLoss.Bce, distillation, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_and_scoring_on_a_hostless_backend_match_the_cpu_bit_for_bit(RankingLoss loss, RankingDistillation distillation, bool neuMF)
    {
        InteractionData data = RecommenderFixtures.Data;
        TeacherScores? teacher = distillation == RankingDistillation.None ? null
            : TeacherScores.From(new MatrixFactorization(data.UserCount, data.ItemCount, 4, new Rng(9)));
        var options = new RecommenderTrainingOptions { Epochs = 2, LearningRate = 0.01f, Seed = 5, Loss = loss, Distillation = distillation, AllowDivergence = true };
        int[] users = [.. Enumerable.Range(0, Math.Min(5, data.UserCount))];
        (RecommenderModel Model, float[] Losses, float[] Scores) Run(ICompute backend)
        {
            RecommenderModel model = Model(neuMF);
            model.To(backend);
            float[] losses = [.. new RecommenderTrainer(model, data, options, teacher).Fit().Select(e => (float)e.Loss)];
            var scores = new float[users.Length * data.ItemCount];
            model.ScoreAll(users, scores);
            return (model, losses, scores);
        }
        var device = new HostlessCompute();
        var (cpu, cpuLosses, cpuScores) = Run(CpuCompute.Default);
        var (moved, deviceLosses, deviceScores) = Run(device);

        Assert.Same(device, moved.Backend);
        Assert.Equal(cpuLosses, deviceLosses);
        Assert.True(cpuScores.AsSpan().SequenceEqual(deviceScores), "ScoreAll differs from the CPU's");
        foreach (var ((name, expected), (_, actual)) in cpu.NamedParameters().Zip(moved.NamedParameters()))
            Assert.True(expected.Data.ToArray().AsSpan().SequenceEqual(actual.Data.ToArray()), $"parameter {name} differs from the CPU run");
    }

    [Theory]
    [InlineData(false, RankingLoss.SampledSoftmax)]
    [InlineData(true, RankingLoss.SampledSoftmax)]
    [InlineData(true, RankingLoss.Bpr)]
    public void A_recommender_training_step_uploads_one_packed_batch_and_downloads_only_its_loss(bool neuMF, RankingLoss loss)
    {
        InteractionData data = RecommenderFixtures.Data;
        var device = new HostlessCompute();
        RecommenderModel model = Model(neuMF);
        model.To(device);
        var trainer = new RecommenderTrainer(model, data, new RecommenderTrainingOptions { Epochs = 2, BatchSize = 32, Seed = 5, Loss = loss });
        trainer.RunEpoch(); // the first epoch grows the buffers, which copies nothing but allocates
        var (uploads, downloads) = (device.Uploads, device.Downloads);
        trainer.RunEpoch();
        int steps = (data.TrainUsers.Length + 31) / 32;
        Assert.True(steps > 1, "the fixture should give several steps");
        // users, items, NeuMF's genre bags and every sparse table's slots and rows: one packed copy at the batch boundary
        Assert.Equal(steps, device.Uploads - uploads);
        Assert.Equal(steps, device.Downloads - downloads); // the loss
    }

    private static RecommenderModel Model(bool neuMF)
    {
        InteractionData data = RecommenderFixtures.Data;
        return neuMF
            ? new NeuMF(data.UserCount, data.ItemCount, RecommenderFixtures.Genres, new NeuMFSpec(8, 4, [16]), new Rng(2))
            : new MatrixFactorization(data.UserCount, data.ItemCount, 8, new Rng(2));
    }
}
