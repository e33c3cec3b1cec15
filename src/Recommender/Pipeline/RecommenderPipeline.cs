using System.Diagnostics;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// The recommender distillation experiment: for each seed, train the NeuMF teacher, cache its scores, then train
/// each student (MF and small NeuMF) alone and distilled with each loss, all with the same recipe and steps;
/// evaluate every model by full ranking on the test items (all users and the cold-start group), and compare each
/// distilled student with the same student alone, paired by user and seed. Every model (teacher and students) is also served from
/// int8 (<see cref="Int8ServingStage"/>) and compared with its fp32 self the same way.
/// </summary>
public sealed class RecommenderPipeline
{
    private readonly RecommenderPipelineOptions _options;
    private readonly TextWriter _log;

    /// <summary>Prepares the pipeline; progress lines go to <paramref name="log"/>.</summary>
    public RecommenderPipeline(RecommenderPipelineOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        _options = options;
        _log = log;
    }

    /// <summary>Runs every model for every seed and returns the report.</summary>
    public RecommenderReport Run(InteractionData data, string dataset)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ColdStartUsers.Length == 0 || data.EvaluatedUsers.Length == 0)
            throw new ArgumentException($"The data has {data.EvaluatedUsers.Length} evaluated and {data.ColdStartUsers.Length} cold-start users; both groups are needed.", nameof(data));
        long start = Stopwatch.GetTimestamp();
        var genres = new ItemGenres(data.GenreOffsets, data.GenreIndices, data.Genres.Length);
        var runs = new List<ModelRuns>();
        ModelRuns Runs(string name, string student, string loss, RankingDistillation distillation = RankingDistillation.None) =>
            runs.Find(r => r.Name == name) ?? Add(runs, new ModelRuns(name, student, loss, distillation));
        string modelDirectory = _options.ModelDirectory ?? Path.Combine(Path.GetTempPath(), $"tinykd-recsys-{Environment.ProcessId}");
        string hard = RankingLossNames.Name(_options.Training.Loss);
        var int8 = new Int8ServingStage();

        foreach (ulong seed in _options.Seeds)
        {
            bool first = seed == _options.Seeds[0];
            var teacher = OnBackend(new NeuMF(data.UserCount, data.ItemCount, genres, _options.Teacher, new Rng(seed)));
            Train(Runs("teacher", "teacher", "bce"), teacher, data, _options.Training with { Seed = seed, Loss = RankingLoss.Bce }, null, first, modelDirectory, int8);
            TeacherScores scores = TeacherScores.From(teacher);
            foreach (string student in new[] { "mf", StudentName })
            {
                RecommenderModel Create() => OnBackend<RecommenderModel>(student == "mf"
                    ? new MatrixFactorization(data.UserCount, data.ItemCount, _options.MfWidth, new Rng(seed))
                    : new NeuMF(data.UserCount, data.ItemCount, genres, _options.Student, new Rng(seed)));
                Train(Runs(student, student, hard), Create(), data, _options.Training with { Seed = seed }, null, first, modelDirectory, int8);
                foreach (RankingDistillation kind in _options.Distillations)
                {
                    string name = $"{student} + {RankingLossNames.Name(kind)}";
                    Train(Runs(name, student, $"{hard} + {RankingLossNames.Name(kind)}", kind), Create(), data,
                        _options.Training with { Seed = seed, Distillation = kind }, scores, first, modelDirectory, int8);
                }
            }
        }
        if (_options.ModelDirectory is null) Directory.Delete(modelDirectory, recursive: true);

        var models = runs.Concat(int8.Runs).Select(r => r.Summarise(data)).ToList();
        var comparisons = new List<RecommenderComparison>();
        foreach (ModelRuns alone in runs.Where(r => r.Distillation == RankingDistillation.None && r.Student != "teacher"))
            foreach (ModelRuns distilled in runs.Where(r => r.Student == alone.Student && r.Distillation != RankingDistillation.None))
                foreach (string group in new[] { "all", "cold" })
                    foreach (string metric in RecommenderReport.HeadlineMetrics)
                        comparisons.Add(new RecommenderComparison(alone.Student, RankingLossNames.Name(distilled.Distillation), group, metric,
                            RankingVerdict.Compare(alone.Table(data, group, metric), distilled.Table(data, group, metric))));
        var summary = new RecommenderDataSummary(data.UserCount, data.ItemCount, data.Ratings, data.Positives,
            data.EvaluatedUsers.Length, data.ColdStartUsers.Length);
        return new RecommenderReport("tinykd", dataset, summary, _options.Describe(), _options.Seeds, models, comparisons,
            Stopwatch.GetElapsedTime(start).TotalSeconds, TinyKd.Distill.Reports.MachineDescription.Current) { Int8 = int8.Compare(data, models) };
    }

    /// <summary>The name of the NeuMF student in the report, e.g. "neumf-8".</summary>
    public string StudentName => $"neumf-{_options.Student.Width}";

    private void Train(ModelRuns runs, RecommenderModel model, InteractionData data, RecommenderTrainingOptions options, TeacherScores? teacher,
        bool first, string modelDirectory, Int8ServingStage int8)
    {
        long start = Stopwatch.GetTimestamp();
        using var trainer = new RecommenderTrainer(model, data, options, teacher);
        int[] curveUsers = CurveUsers(data);
        IReadOnlyList<RecommenderEpoch> curve = trainer.Fit(
            _options.ValidateEachEpoch ? m => RecommenderEvaluation.Validation(m, data, curveUsers).Mean("NDCG@10") : null,
            keepBest: _options.KeepBestEpoch);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        RankingResult test = RecommenderEvaluation.Test(model, data);
        string kept = _options.KeepBestEpoch ? $", epoch {trainer.BestEpoch} kept" : "";
        if (trainer.Divergence is { } reason) kept += $"; DIVERGED ({reason}), kept as divergence is allowed";
        _log.WriteLine(FormattableString.Invariant(
            $"seed {options.Seed}  {runs.Name,-24} loss {curve[^1].Loss:F4}  test NDCG@10 {test.Mean("NDCG@10"):F4}  Recall@10 {test.Mean("Recall@10"):F4}  AUC {test.Mean("AUC"):F4}  ({seconds:F1} s{kept})"));
        runs.Add(test, curve, seconds);
        if (model.Backend is not CpuCompute) model.To(CpuCompute.Default);
        if (first) Directory.CreateDirectory(modelDirectory);
        int8.Add(runs, model, data, options.Seed, first, modelDirectory, _log);
        if (!first) return;
        string path = Path.Combine(modelDirectory, runs.Name.Replace(" + ", "-") + ".tkd");
        RecommenderFile.Save(path, model, new Dictionary<string, string> { ["loss"] = runs.Loss, ["seed"] = options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        runs.Measure(model, new FileInfo(path).Length);
    }

    // A model built on the CPU from its seed, moved to the options' backend.
    private T OnBackend<T>(T model) where T : RecommenderModel
    {
        if (_options.Backend is { } backend) model.To(backend);
        return model;
    }

    // At most CurveUsers evaluated users, evenly spaced, for the per-epoch validation.
    private int[] CurveUsers(InteractionData data)
    {
        int[] all = data.EvaluatedUsers;
        int count = Math.Min(_options.CurveUsers, all.Length);
        return Enumerable.Range(0, count).Select(k => all[(int)((long)k * all.Length / count)]).ToArray();
    }

    private static ModelRuns Add(List<ModelRuns> runs, ModelRuns run)
    {
        runs.Add(run);
        return run;
    }
}
