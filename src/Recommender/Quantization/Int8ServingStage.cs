using System.Diagnostics;
using System.Globalization;

namespace TinyKd.Recommender;

/// <summary>
/// The pipeline's int8 stage: every trained model — the NeuMF teacher and every student, alone and distilled — is
/// quantized to int8 (<see cref="QuantizedMatrixFactorization"/>, <see cref="QuantizedNeuMF"/>) right after training
/// and evaluated on the same test protocol; the
/// first seed's int8 model is saved and weighed and its serving timed. <see cref="Compare"/> then pairs each int8
/// model with its fp32 model by user and seed.
/// </summary>
internal sealed class Int8ServingStage
{
    private readonly List<(ModelRuns Fp32, ModelRuns Int8)> _pairs = [];

    /// <summary>The int8 models' runs, in the order their fp32 models were first trained.</summary>
    public IEnumerable<ModelRuns> Runs => _pairs.Select(p => p.Int8);

    /// <summary>The report's name of the int8 twin of a model: "mf + listwise int8".</summary>
    public static string NameOf(string fp32Name) => fp32Name + " int8";

    /// <summary>
    /// Quantizes <paramref name="model"/> (an MF or a NeuMF), evaluates it, logs one line and, for the first
    /// seed, saves it into <paramref name="modelDirectory"/> and measures its size and speed.
    /// </summary>
    public void Add(ModelRuns fp32, RecommenderModel model, InteractionData data, ulong seed, bool first, string modelDirectory, TextWriter log)
    {
        Func<RecommenderModel>? quantize = model switch
        {
            MatrixFactorization mf => () => QuantizedMatrixFactorization.Quantize(mf),
            NeuMF neumf => () => QuantizedNeuMF.Quantize(neumf),
            _ => null,
        };
        if (quantize is null) return;
        (ModelRuns Fp32, ModelRuns Int8) pair = _pairs.Find(p => p.Fp32 == fp32);
        if (pair.Int8 is null)
        {
            pair = (fp32, new ModelRuns(NameOf(fp32.Name), fp32.Student, fp32.Loss, fp32.Distillation));
            _pairs.Add(pair);
        }
        long start = Stopwatch.GetTimestamp();
        RecommenderModel int8 = quantize();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        RankingResult test = RecommenderEvaluation.Test(int8, data);
        log.WriteLine(FormattableString.Invariant(
            $"seed {seed}  {pair.Int8.Name,-28} int8  test NDCG@10 {test.Mean("NDCG@10"):F4}  Recall@10 {test.Mean("Recall@10"):F4}  AUC {test.Mean("AUC"):F4}  (quantized in {seconds * 1e3:F1} ms)"));
        pair.Int8.Add(test, [], double.NaN);
        if (!first) return;
        string path = Path.Combine(modelDirectory, pair.Int8.Name.Replace(" + ", "-").Replace(' ', '-') + ".tkd");
        RecommenderFile.Save(path, int8, new Dictionary<string, string>
        {
            ["loss"] = fp32.Loss, ["seed"] = seed.ToString(CultureInfo.InvariantCulture), ["quantized"] = model is NeuMF ? "int8 tables and tower weights, per-row scales" : "int8 tables, per-row scales",
        });
        pair.Int8.Measure(int8, new FileInfo(path).Length, model.ParameterCount());
    }

    /// <summary>Each int8 model against its fp32 model, per group and headline metric, paired by user and seed (change = int8 − fp32).</summary>
    public IReadOnlyList<RecommenderInt8Comparison> Compare(InteractionData data, IReadOnlyList<RecommenderModelResult> models) =>
        [.. from pair in _pairs
            from g in new[] { "all", "cold" }
            from metric in RecommenderReport.HeadlineMetrics
            let fp32 = models.First(m => m.Name == pair.Fp32.Name)
            let int8 = models.First(m => m.Name == pair.Int8.Name)
            select new RecommenderInt8Comparison(pair.Fp32.Name, g, metric,
                (g == "all" ? fp32.All : fp32.Cold)[metric].Mean, (g == "all" ? int8.All : int8.Cold)[metric].Mean,
                fp32.Bytes, int8.Bytes,
                RankingVerdict.Compare(pair.Fp32.Table(data, g, metric), pair.Int8.Table(data, g, metric)))];
}
