using System.Text.Json;

namespace TinyKd.Recommender;

/// <summary>
/// Reads a report.json written by <see cref="RecommenderJsonReport"/> or by the PyTorch script
/// (scripts/recsys_pytorch.py, same schema) back into a <see cref="RecommenderReport"/>, so either can be rendered
/// again as Markdown and HTML without retraining. The PyTorch file names a distilled student by its student and its
/// loss ("neumf-8", "soft-bce"); it is read as TinyKd names it ("neumf-8 + soft-bce", loss "bce + soft-bce").
/// Fields only TinyKd writes (recipe, machine, curves, train time, the int8 comparisons) read as empty when absent.
/// </summary>
public static class RecommenderJsonReader
{
    private static readonly string[] Distillations = ["soft-bce", "rank-distill", "listwise"];

    /// <summary>Reads the report at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a report (the message names the file and the missing field).</exception>
    public static RecommenderReport Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Report file '{path}' is not a recommender report.json: {e.Message}", e);
        }
    }

    private static RecommenderReport Parse(JsonElement root)
    {
        JsonElement data = root.GetProperty("data");
        var summary = new RecommenderDataSummary(data.GetProperty("users").GetInt32(), data.GetProperty("items").GetInt32(),
            data.GetProperty("ratings").GetInt32(), data.GetProperty("positives").GetInt32(),
            data.GetProperty("evaluatedUsers").GetInt32(), data.GetProperty("coldStartUsers").GetInt32());
        var models = root.GetProperty("models").EnumerateArray().Select(Model).ToList();
        var comparisons = root.GetProperty("comparisons").EnumerateArray().Select(c => new RecommenderComparison(
            c.GetProperty("student").GetString()!, c.GetProperty("loss").GetString()!, c.GetProperty("group").GetString()!,
            c.GetProperty("metric").GetString()!,
            new RankingComparison(Number(c, "gain"), Number(c, "low"), Number(c, "high"), Number(c, "seedSpread"),
                ParseVerdict(c.GetProperty("verdict").GetString()!), []))).ToList();
        return new RecommenderReport(root.GetProperty("engine").GetString()!, root.GetProperty("dataset").GetString()!, summary,
            Text(root, "recipe"), root.GetProperty("seeds").EnumerateArray().Select(s => s.GetUInt64()).ToList(), models, comparisons,
            Number(root, "wallSeconds"), Text(root, "machine"))
        {
            Int8 = root.TryGetProperty("int8", out JsonElement int8)
                ? int8.EnumerateArray().Select(c => new RecommenderInt8Comparison(c.GetProperty("model").GetString()!,
                    c.GetProperty("group").GetString()!, c.GetProperty("metric").GetString()!, Number(c, "fp32"), Number(c, "int8"),
                    c.GetProperty("fp32Bytes").GetInt64(), c.GetProperty("int8Bytes").GetInt64(),
                    new RankingComparison(Number(c, "change"), Number(c, "low"), Number(c, "high"), Number(c, "seedSpread"),
                        ParseVerdict(c.GetProperty("verdict").GetString()!), []))).ToList()
                : [],
        };
    }

    private static RecommenderModelResult Model(JsonElement m)
    {
        string name = m.GetProperty("name").GetString()!, loss = m.GetProperty("loss").GetString()!;
        string student = m.TryGetProperty("student", out JsonElement s) ? s.GetString()! : name;
        if (!m.TryGetProperty("student", out _) && Distillations.Contains(loss))
        {
            name = $"{student} + {loss}";
            loss = $"bce + {loss}";
        }
        JsonElement groups = m.GetProperty("groups");
        var curves = m.TryGetProperty("curves", out JsonElement c)
            ? c.EnumerateArray().Select(seed => (IReadOnlyList<RecommenderEpoch>)seed.EnumerateArray()
                .Select(e => new RecommenderEpoch(e.GetProperty("epoch").GetInt32(), Number(e, "loss"), Number(e, "validationNdcg10"))).ToList()).ToList()
            : [];
        return new RecommenderModelResult(name, student, m.GetProperty("architecture").GetString()!, loss,
            m.GetProperty("parameters").GetInt64(), m.GetProperty("bytes").GetInt64(), Number(m, "usPerUser"), Number(m, "usersPerSecond"),
            Number(m, "trainSeconds"), Group(groups.GetProperty("all")), Group(groups.GetProperty("cold")), curves);
    }

    private static Dictionary<string, SeedSummary> Group(JsonElement group) =>
        group.EnumerateObject().ToDictionary(p => p.Name, p =>
        {
            var seeds = p.Value.GetProperty("seeds").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToList();
            return new SeedSummary(Number(p.Value, "mean"), Number(p.Value, "std"), seeds.DefaultIfEmpty(double.NaN).Min(),
                seeds.DefaultIfEmpty(double.NaN).Max(), Number(p.Value, "low"), Number(p.Value, "high"), seeds);
        });

    private static Verdict ParseVerdict(string name) => name switch
    {
        "wins" => Verdict.Wins,
        "loses" => Verdict.Loses,
        "ties" => Verdict.Ties,
        _ => throw new FormatException($"unknown verdict '{name}'"),
    };

    // A number, or NaN when the field is absent or null (JSON has no NaN).
    private static double Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
