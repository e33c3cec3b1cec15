using TinyKd.Gpu;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Gpu;

// The recommender trainer end to end with the model moved to the ILGPU backend (its CPU accelerator): embedding
// lookups, bags, their backward into row-sparse gradients, lazy Adam, the ranking losses (sampled softmax included,
// whose labels live on the device) and all-item scoring track the CPU backend's run. The embedding kernels match the
// CPU bit for bit; the losses and GEMMs sum in another order, so the bar is the mean loss of each epoch within 1e-4
// relative and scores within 1e-4. Under the sampled softmax a shift of all of a user's scores changes nothing, so the
// output bias's gradient is rounding noise that Adam turns into steps of ±lr, different on each backend: there the
// scores are compared after removing each user's mean.
[Collection(IlgpuCpuCollection.Name)]
public class GpuRecommenderTests(IlgpuCpuFixture fixture)
{
    private static readonly Lazy<InteractionData> Tiny = new(() =>
        LeaveLastOutSplit.Create(SyntheticRatings.Generate(new SyntheticOptions { Seed = 4, Users = 24, Movies = 40, Genres = 5, MeanRatingsPerUser = 12, MinRatingsPerUser = 6 })));
    private readonly GpuCompute _gpu = fixture.Gpu;

    [Theory]
    [InlineData(false, RankingLoss.Bce)]
    [InlineData(true, RankingLoss.Bce)]
    [InlineData(true, RankingLoss.SampledSoftmax)]
    public void Training_and_scoring_on_the_gpu_backend_track_the_cpu_run(bool neuMF, RankingLoss loss)
    {
        InteractionData data = Tiny.Value;
        var genres = new ItemGenres(data.GenreOffsets, data.GenreIndices, data.Genres.Length);
        var options = new RecommenderTrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.02f, Seed = 5, Loss = loss };
        int[] users = [0, 3, 7];
        (double[] Losses, float[] Scores) Run(ICompute backend)
        {
            RecommenderModel model = neuMF
                ? new NeuMF(data.UserCount, data.ItemCount, genres, new NeuMFSpec(6, 3, [10, 5]), new Rng(2))
                : new MatrixFactorization(data.UserCount, data.ItemCount, 5, new Rng(2));
            model.To(backend);
            double[] losses = [.. new RecommenderTrainer(model, data, options).Fit().Select(e => e.Loss)];
            var scores = new float[users.Length * data.ItemCount];
            model.ScoreAll(users, scores);
            return (losses, scores);
        }
        var (cpuLosses, cpuScores) = Run(CpuCompute.Default);
        var (gpuLosses, gpuScores) = Run(_gpu);
        Assert.True(cpuLosses[1] < cpuLosses[0], $"the CPU run should learn: {cpuLosses[0]} then {cpuLosses[1]}");
        Check.Close([.. cpuLosses.Select(l => (float)l)], [.. gpuLosses.Select(l => (float)l)], 1e-6, 1e-4, "epoch losses");
        if (loss == RankingLoss.SampledSoftmax) (cpuScores, gpuScores) = (Centred(cpuScores, data.ItemCount), Centred(gpuScores, data.ItemCount));
        Check.Close(cpuScores, gpuScores, 1e-4, 1e-4, "ScoreAll");
    }

    // Each row of `items` scores minus the row's mean.
    private static float[] Centred(float[] scores, int items)
    {
        var centred = new float[scores.Length];
        for (int start = 0; start < scores.Length; start += items)
        {
            float mean = scores.AsSpan(start, items).ToArray().Average();
            for (int i = start; i < start + items; i++) centred[i] = scores[i] - mean;
        }
        return centred;
    }
}
