namespace TinyKd.Recommender;

/// <summary>The sizes of the data a recommender pipeline ran on.</summary>
/// <param name="Users">Users.</param>
/// <param name="Items">Items.</param>
/// <param name="Ratings">Ratings.</param>
/// <param name="Positives">Ratings at or above the positive threshold.</param>
/// <param name="EvaluatedUsers">Users with a validation and a test item.</param>
/// <param name="ColdStartUsers">Evaluated users with few training positives.</param>
public sealed record RecommenderDataSummary(int Users, int Items, int Ratings, int Positives, int EvaluatedUsers, int ColdStartUsers);

/// <summary>One trained model of the pipeline, summarised over the seeds.</summary>
/// <param name="Name">Its role, e.g. "teacher", "mf", "neumf-8 + listwise".</param>
/// <param name="Student">The student it is ("mf", "neumf-8"), or "teacher".</param>
/// <param name="Architecture">E.g. "neumf d64 g16 256-128-64".</param>
/// <param name="Loss">Its own loss ("bce") and, for a distilled student, the distillation ("bce + listwise").</param>
/// <param name="Parameters">Trainable numbers.</param>
/// <param name="Bytes">Size of its model file.</param>
/// <param name="MicrosecondsPerUser">Scoring every item for one user (batch 1), median.</param>
/// <param name="UsersPerSecond">Users scored per second in batches of 64.</param>
/// <param name="TrainSeconds">Training wall time, mean over the seeds.</param>
/// <param name="All">Test metrics over all evaluated users, by metric name.</param>
/// <param name="Cold">Test metrics over the cold-start users, by metric name.</param>
/// <param name="Curves">Per seed, the epochs: training loss and validation NDCG@10.</param>
public sealed record RecommenderModelResult(string Name, string Student, string Architecture, string Loss, long Parameters, long Bytes,
    double MicrosecondsPerUser, double UsersPerSecond, double TrainSeconds, IReadOnlyDictionary<string, SeedSummary> All,
    IReadOnlyDictionary<string, SeedSummary> Cold, IReadOnlyList<IReadOnlyList<RecommenderEpoch>> Curves);

/// <summary>A distilled student against the same student alone on one metric and one group of users.</summary>
/// <param name="Student">"mf" or "neumf-8".</param>
/// <param name="Distillation">"soft-bce", "rank-distill" or "listwise".</param>
/// <param name="Group">"all" or "cold".</param>
/// <param name="Metric">E.g. "NDCG@10".</param>
/// <param name="Result">Gain, 95% interval, seed spread and verdict.</param>
public sealed record RecommenderComparison(string Student, string Distillation, string Group, string Metric, RankingComparison Result);

/// <summary>An int8-served model against the same model in fp32 on one metric and one group of users.</summary>
/// <param name="Model">The fp32 model's name, e.g. "mf + listwise"; its int8 twin is named "mf + listwise int8".</param>
/// <param name="Group">"all" or "cold".</param>
/// <param name="Metric">E.g. "NDCG@10".</param>
/// <param name="Fp32">The fp32 model's mean over users and seeds.</param>
/// <param name="Int8">The int8 model's mean.</param>
/// <param name="Fp32Bytes">The fp32 model file's size.</param>
/// <param name="Int8Bytes">The int8 model file's size.</param>
/// <param name="Change">int8 − fp32 paired by user and seed: mean, 95% interval, seed spread and verdict.</param>
public sealed record RecommenderInt8Comparison(string Model, string Group, string Metric, double Fp32, double Int8, long Fp32Bytes, long Int8Bytes,
    RankingComparison Change);

/// <summary>Everything <c>tinykd recsys pipeline</c> measured, ready to be written as Markdown, JSON and HTML.</summary>
/// <param name="Engine">"tinykd".</param>
/// <param name="Dataset">The CSV file name, or "synthetic".</param>
/// <param name="Data">Its sizes.</param>
/// <param name="Recipe">The shared training recipe in one line.</param>
/// <param name="Seeds">The seeds every model was trained with.</param>
/// <param name="Models">Teacher, students alone, distilled students.</param>
/// <param name="Comparisons">Every distilled student against its student alone, per group and metric.</param>
/// <param name="WallSeconds">Wall time of the whole pipeline.</param>
/// <param name="Machine">Processor count, OS and kernel path, for the timings.</param>
public sealed record RecommenderReport(string Engine, string Dataset, RecommenderDataSummary Data, string Recipe, IReadOnlyList<ulong> Seeds,
    IReadOnlyList<RecommenderModelResult> Models, IReadOnlyList<RecommenderComparison> Comparisons, double WallSeconds, string Machine)
{
    /// <summary>Each int8-served model against its fp32 model (empty when the run quantized nothing, e.g. a PyTorch report).</summary>
    public IReadOnlyList<RecommenderInt8Comparison> Int8 { get; init; } = [];

    /// <summary>The metrics every table shows, in order.</summary>
    public static IReadOnlyList<string> HeadlineMetrics { get; } = ["NDCG@10", "Recall@10", "AUC"];
}
