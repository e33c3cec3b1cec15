using TinyKd.Distill.Recommender;
using TinyKd.Tensors;

namespace TinyKd.Tests.Recommender;

// The README's recommender example, verbatim but on the synthetic ratings and for 2 epochs, so it keeps compiling and working.
public class ReadmeRecommenderExampleTests
{
    [Fact]
    public void The_readme_recommender_example_distils_a_student()
    {
        RatingsTable ratings = SyntheticRatings.Generate();
        InteractionData data = LeaveLastOutSplit.Create(ratings);
        var genres = new ItemGenres(data.GenreOffsets, data.GenreIndices, data.Genres.Length);

        var teacher = new NeuMF(data.UserCount, data.ItemCount, genres, new NeuMFSpec(64, 16, [256, 128, 64]), new Rng(1));
        new RecommenderTrainer(teacher, data, new RecommenderTrainingOptions { Epochs = 2 }).Fit();
        TeacherScores cached = TeacherScores.From(teacher);

        var student = new MatrixFactorization(data.UserCount, data.ItemCount, width: 16, new Rng(1));
        var options = new RecommenderTrainingOptions { Epochs = 2, Distillation = RankingDistillation.Listwise };
        new RecommenderTrainer(student, data, options, cached).Fit();

        RankingResult test = RecommenderEvaluation.Test(student, data);
        RankingResult cold = test.Subset(data.ColdStartUsers);
        RecommenderFile.Save(Path.Combine(Path.GetTempPath(), $"readme-student-{Environment.ProcessId}.tkd"), student);

        Assert.InRange(test.Mean("AUC"), 0.6, 1.0);
        Assert.InRange(cold.Mean("NDCG@10"), 0.0, 1.0);
        File.Delete(Path.Combine(Path.GetTempPath(), $"readme-student-{Environment.ProcessId}.tkd"));
    }
}
