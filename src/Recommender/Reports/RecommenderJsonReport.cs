using System.Text;
using System.Text.Json;

namespace TinyKd.Recommender;

/// <summary>
/// The recommender report as JSON in the schema the PyTorch script (scripts/recsys_pytorch.py) writes too, so the two
/// engines can be put side by side: data sizes, seeds, per model its size, speed and per group
/// ("all", "cold") every metric's mean, std, bootstrap interval and per-seed means; then the comparisons.
/// TinyKd adds the recipe, the machine, the training curves and the int8-against-fp32 comparisons ("int8").
/// </summary>
public static class RecommenderJsonReport
{
    /// <summary>Renders <paramref name="report"/> as indented UTF-8 JSON text.</summary>
    public static string Render(RecommenderReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("engine", report.Engine);
            json.WriteString("dataset", report.Dataset);
            json.WriteStartObject("data");
            json.WriteNumber("users", report.Data.Users);
            json.WriteNumber("items", report.Data.Items);
            json.WriteNumber("ratings", report.Data.Ratings);
            json.WriteNumber("positives", report.Data.Positives);
            json.WriteNumber("evaluatedUsers", report.Data.EvaluatedUsers);
            json.WriteNumber("coldStartUsers", report.Data.ColdStartUsers);
            json.WriteEndObject();
            json.WriteStartArray("seeds");
            foreach (ulong seed in report.Seeds) json.WriteNumberValue(seed);
            json.WriteEndArray();
            Number(json, "wallSeconds", report.WallSeconds);
            json.WriteString("recipe", report.Recipe);
            json.WriteString("machine", report.Machine);
            json.WriteStartArray("models");
            foreach (RecommenderModelResult model in report.Models) Model(json, model);
            json.WriteEndArray();
            json.WriteStartArray("comparisons");
            foreach (RecommenderComparison c in report.Comparisons)
            {
                json.WriteStartObject();
                json.WriteString("student", c.Student);
                json.WriteString("loss", c.Distillation);
                json.WriteString("group", c.Group);
                json.WriteString("metric", c.Metric);
                Comparison(json, "gain", c.Result);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("int8");
            foreach (RecommenderInt8Comparison c in report.Int8)
            {
                json.WriteStartObject();
                json.WriteString("model", c.Model);
                json.WriteString("group", c.Group);
                json.WriteString("metric", c.Metric);
                Number(json, "fp32", c.Fp32);
                Number(json, "int8", c.Int8);
                json.WriteNumber("fp32Bytes", c.Fp32Bytes);
                json.WriteNumber("int8Bytes", c.Int8Bytes);
                Comparison(json, "change", c.Change);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Model(Utf8JsonWriter json, RecommenderModelResult model)
    {
        json.WriteStartObject();
        json.WriteString("name", model.Name);
        json.WriteString("student", model.Student);
        json.WriteString("architecture", model.Architecture);
        json.WriteString("loss", model.Loss);
        json.WriteNumber("parameters", model.Parameters);
        json.WriteNumber("bytes", model.Bytes);
        Number(json, "usPerUser", model.MicrosecondsPerUser);
        Number(json, "usersPerSecond", model.UsersPerSecond);
        Number(json, "trainSeconds", model.TrainSeconds);
        json.WriteStartObject("groups");
        Group(json, "all", model.All);
        Group(json, "cold", model.Cold);
        json.WriteEndObject();
        json.WriteStartArray("curves");
        foreach (IReadOnlyList<RecommenderEpoch> seed in model.Curves)
        {
            json.WriteStartArray();
            foreach (RecommenderEpoch epoch in seed)
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", epoch.Epoch);
                Number(json, "loss", epoch.Loss);
                Number(json, "validationNdcg10", epoch.Validation);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Group(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, SeedSummary> metrics)
    {
        json.WriteStartObject(name);
        foreach (var (metric, s) in metrics)
        {
            json.WriteStartObject(metric);
            Number(json, "mean", s.Mean);
            Number(json, "std", s.Std);
            Number(json, "low", s.Low);
            Number(json, "high", s.High);
            json.WriteStartArray("seeds");
            foreach (double v in s.SeedMeans) NumberValue(json, v);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    // JSON has no NaN: a value that is not finite is written as null.
    // A paired comparison: its gain (named gainName), bootstrap interval, seed spread and verdict.
    private static void Comparison(Utf8JsonWriter json, string gainName, RankingComparison result)
    {
        Number(json, gainName, result.Gain);
        Number(json, "low", result.Low);
        Number(json, "high", result.High);
        Number(json, "seedSpread", result.SeedSpread);
        json.WriteString("verdict", RankingVerdict.Name(result.Verdict));
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        json.WritePropertyName(name);
        NumberValue(json, value);
    }

    private static void NumberValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteNullValue();
    }
}
