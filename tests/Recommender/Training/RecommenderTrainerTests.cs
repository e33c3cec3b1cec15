using TinyKd.Recommender;
using TinyKd.Distill.Training;
using TinyKd.Tests.Recommender.Data;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Training;

/// <summary>The recommender trainer: it learns, it is deterministic, its steady state allocates nothing, and the teacher's top-K are right.</summary>
public class RecommenderTrainerTests
{
    private static InteractionData Data => RecommenderFixtures.Data;

    internal static NeuMF Student(ulong seed) =>
        new(Data.UserCount, Data.ItemCount, RecommenderFixtures.Genres, new NeuMFSpec(8, 4, [16]), new Rng(seed));

    [Fact]
    public void Training_beats_the_untrained_model_on_validation()
    {
        var model = new MatrixFactorization(Data.UserCount, Data.ItemCount, 8, new Rng(1));
        double before = RecommenderEvaluation.Validation(model, Data).Mean("AUC");
        new RecommenderTrainer(model, Data, new RecommenderTrainingOptions { Epochs = 4, LearningRate = 0.01f }).Fit();
        double after = RecommenderEvaluation.Validation(model, Data).Mean("AUC");
        Assert.True(after > before + 0.1, $"validation AUC {before:F3} → {after:F3}");
    }

    [Theory]
    [InlineData(RankingLoss.Bce, RankingDistillation.None)]
    [InlineData(RankingLoss.Bpr, RankingDistillation.None)]
    [InlineData(RankingLoss.SampledSoftmax, RankingDistillation.None)]
    [InlineData(RankingLoss.Bce, RankingDistillation.SoftBce)]
    [InlineData(RankingLoss.Bce, RankingDistillation.RankDistill)]
    [InlineData(RankingLoss.Bce, RankingDistillation.Listwise)]
    public void Same_seed_gives_the_same_weights_bit_for_bit(RankingLoss loss, RankingDistillation distillation)
    {
        TeacherScores teacher = TeacherScores.From(new MatrixFactorization(Data.UserCount, Data.ItemCount, 4, new Rng(9)));
        float[] Run(ulong seed)
        {
            NeuMF model = Student(seed);
            var options = new RecommenderTrainingOptions { Epochs = 1, Seed = seed, Loss = loss, Distillation = distillation };
            new RecommenderTrainer(model, Data, options, teacher).Fit();
            return model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        }
        float[] first = Run(5), again = Run(5), other = Run(6);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [InlineData(RankingDistillation.SoftBce)]
    [InlineData(RankingDistillation.RankDistill)]
    [InlineData(RankingDistillation.Listwise)]
    public void A_distilled_student_sees_the_same_positives_and_negatives_as_its_student_alone(RankingDistillation distillation)
    {
        TeacherScores teacher = TeacherScores.From(Student(3));
        var alone = new RecommenderTrainer(Student(1), Data, new RecommenderTrainingOptions { Seed = 4 });
        var distilled = new RecommenderTrainer(Student(1), Data, new RecommenderTrainingOptions { Seed = 4, Distillation = distillation }, teacher);
        const int rows = 256, list = 5;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            alone.Shuffle();
            distilled.Shuffle();
            for (int start = 0; start + rows <= Data.TrainUsers.Length; start += rows)
            {
                var (aloneUsers, aloneItems) = (new int[rows * alone.Width], new int[rows * alone.Width]);
                var (users, items) = (new int[rows * distilled.Width], new int[rows * distilled.Width]);
                alone.FillCandidates(start, rows, aloneUsers, aloneItems);
                distilled.FillCandidates(start, rows, users, items);
                for (int r = 0; r < rows; r++)
                {
                    Assert.Equal(aloneUsers[r * alone.Width], users[r * distilled.Width]);
                    Assert.Equal(aloneItems.AsSpan(r * alone.Width, list).ToArray(), items.AsSpan(r * distilled.Width, list).ToArray());
                }
            }
        }
    }

    [Fact]
    public void Keeping_the_best_epoch_restores_its_weights()
    {
        NeuMF model = Student(2);
        var trainer = new RecommenderTrainer(model, Data, new RecommenderTrainingOptions { Epochs = 3 });
        double[] scores = [0.1, 0.3, 0.2];
        var snapshots = new List<float[]>();
        trainer.Fit(m =>
        {
            snapshots.Add(m.Parameters().SelectMany(p => p.Data.ToArray()).ToArray());
            return scores[snapshots.Count - 1];
        }, keepBest: true);
        Assert.Equal(2, trainer.BestEpoch);
        Assert.Equal(snapshots[1], model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray());
        Assert.NotEqual(snapshots[2], snapshots[1]);
        Assert.Throws<ArgumentException>(() => trainer.Fit(keepBest: true));
    }

    [Fact]
    public void A_nan_loss_stops_the_run_before_the_optimizer_step_so_the_weights_are_untouched()
    {
        NeuMF model = Student(4);
        var output = model.NamedParameters().Single(p => p.Name == "output.bias").Parameter;
        output.Data.Backend.CopyFromHost(output.Data, [float.NaN]);
        var before = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data.ToArray());

        var ex = Assert.Throws<TrainingDivergedException>(() => new RecommenderTrainer(model, Data, new RecommenderTrainingOptions { Epochs = 1 }).Fit());

        Assert.Contains("step 1", ex.Message);
        foreach (var (name, parameter) in model.NamedParameters())
            Assert.True(before[name].AsSpan().SequenceEqual(parameter.Data.ToArray()) || name == "output.bias", $"{name} changed although the step was refused");
    }

    [Fact]
    public void A_user_who_has_seen_every_item_is_refused_up_front_naming_them()
    {
        // Two positives are too few to hold one out, so user 42 has seen both items in training: no negative exists.
        InteractionData data = LeaveLastOutSplit.Create(RatingsFixtures.Table([(42, 1, 5f, 1), (42, 2, 5f, 2)]));
        var model = new MatrixFactorization(data.UserCount, data.ItemCount, 2, new Rng(1));
        var ex = Assert.Throws<ArgumentException>(() => new RecommenderTrainer(model, data, new RecommenderTrainingOptions()));
        Assert.Contains("raw id 42", ex.Message);
        Assert.Contains("has seen all 2 items", ex.Message);
    }

    [Fact]
    public void Teacher_top_k_skips_seen_items_and_breaks_ties_by_item()
    {
        int users = Data.UserCount, items = Data.ItemCount;
        var scores = new float[users * items];
        for (int i = 0; i < items; i++) scores[i] = i % 7;
        var teacher = new TeacherScores(scores, users, items);
        int[] top = teacher.TopUnseen(Data, 5);
        int[] seen = Data.Seen(0).ToArray();
        int[] expected = Enumerable.Range(0, items).Where(i => Array.BinarySearch(seen, i) < 0)
            .OrderByDescending(i => i % 7).ThenBy(i => i).Take(5).ToArray();
        Assert.Equal(expected, top[..5]);
    }

    [Fact]
    public void Distillation_without_teacher_scores_or_with_a_bad_setting_is_refused()
    {
        Assert.Contains("needs the teacher's scores", Assert.Throws<ArgumentException>(() =>
            new RecommenderTrainer(Student(1), Data, new RecommenderTrainingOptions { Distillation = RankingDistillation.SoftBce })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RecommenderTrainer(Student(1), Data, new RecommenderTrainingOptions { Alpha = 1.5f }));
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => new TeacherScores([0f, float.NaN], 1, 2)).Message);
        Assert.Contains("rank-distill", Assert.Throws<ArgumentException>(() => RankingLossNames.ParseDistillation("rd")).Message);
    }
}

[Collection(AllocationCollection.Name)]
public class RecommenderTrainerAllocationTests
{
    [Theory]
    [InlineData(RankingDistillation.None)]
    [InlineData(RankingDistillation.Listwise)]
    [InlineData(RankingDistillation.RankDistill)]
    public void An_epoch_allocates_nothing_once_warm(RankingDistillation distillation)
    {
        TeacherScores teacher = TeacherScores.From(RecommenderTrainerTests.Student(3));
        var trainer = new RecommenderTrainer(RecommenderTrainerTests.Student(4), RecommenderFixtures.Data,
            new RecommenderTrainingOptions { Distillation = distillation, BatchSize = 64 }, teacher);
        Allocations.AssertNone(() => trainer.RunEpoch(), $"an epoch with {distillation} distillation", warmUp: 6);
    }
}
