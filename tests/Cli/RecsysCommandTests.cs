using System.Text.Json;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Recommender;
using TinyKd.Distill;

namespace TinyKd.Tests.Cli;

// tinykd recsys on a tiny budget: synthetic data → CSV → pipeline → report folder with the JSON schema the PyTorch script shares.
public sealed class RecsysCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-recsys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Synth_then_pipeline_on_the_csv_writes_the_table_verdicts_and_report()
    {
        string csv = Path.Combine(_dir, "synthetic.csv");
        var output = new StringWriter();
        Assert.Equal(0, RecsysCommand.Run(["synth", "--out", csv, "--seed", "2"], output));
        Assert.Equal(SyntheticRatings.Generate(new SyntheticOptions { Seed = 2 }).Rows.Count, MovieLensCsv.Read(csv).Rows.Count);

        string report = Path.Combine(_dir, "report");
        Assert.Equal(0, RecsysCommand.Run(["pipeline", "--data", csv, "--seeds", "1,2", "--epochs", "1", "--teacher", "16:4:32",
            "--student", "4:2:8", "--mf-width", "4", "--distill", "soft-bce,listwise", "--report", report], output));
        string text = output.ToString();
        Assert.Contains("| neumf-4 + listwise |", text);
        Assert.Contains("| mf | soft-bce | cold | NDCG@10 |", text);
        foreach (string file in new[] { "report.md", "report.json", "report.html" }) Assert.True(File.Exists(Path.Combine(report, file)), file);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        JsonElement root = json.RootElement;
        Assert.Equal("tinykd", root.GetProperty("engine").GetString());
        Assert.Equal("synthetic.csv", root.GetProperty("dataset").GetString());
        Assert.Equal(7 + 7, root.GetProperty("models").GetArrayLength()); // and each of the seven served from int8
        Assert.Equal(7 * 2 * 3, root.GetProperty("int8").GetArrayLength());
        Assert.Contains("| teacher int8 |", text);
        JsonElement ndcg = root.GetProperty("models")[0].GetProperty("groups").GetProperty("cold").GetProperty("NDCG@10");
        Assert.Equal(2, ndcg.GetProperty("seeds").GetArrayLength());
        Assert.True(ndcg.GetProperty("low").GetDouble() <= ndcg.GetProperty("high").GetDouble());
        Assert.Equal(2 * 2 * 2 * 3, root.GetProperty("comparisons").GetArrayLength());
        Assert.All(root.GetProperty("comparisons").EnumerateArray(),
            c => Assert.Contains(c.GetProperty("verdict").GetString(), new[] { "wins", "ties", "loses" }));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(report, "report.html")));

        RecommenderModel teacher = RecommenderFile.Load(Path.Combine(report, "models", "teacher.tkd"));
        Assert.Equal("neumf d16 g4 32", teacher.Architecture);

        string again = Path.Combine(_dir, "again");
        Assert.Equal(0, RecsysCommand.Run(["report", "--json", Path.Combine(report, "report.json"), "--out", again], output));
        Assert.Equal(File.ReadAllText(Path.Combine(report, "report.md")), File.ReadAllText(Path.Combine(again, "report.md")));
    }

    [Fact]
    public void A_pytorch_report_is_read_with_tinykd_names()
    {
        string json = Path.Combine(_dir, "pytorch.json");
        const string Group = """{"NDCG@10": {"mean": 0.03, "std": 0.001, "low": 0.02, "high": 0.04, "seeds": [0.03, 0.031]}}""";
        File.WriteAllText(json, $$$"""
            {"engine": "pytorch", "dataset": "movielens.csv", "seeds": [1, 2], "wallSeconds": 10,
             "data": {"users": 3, "items": 4, "ratings": 5, "positives": 4, "evaluatedUsers": 3, "coldStartUsers": 1},
             "models": [{"name": "mf", "architecture": "mf d16", "loss": "listwise", "parameters": 7, "bytes": 99,
                         "usPerUser": 1.5, "usersPerSecond": null, "groups": {"all": {{{Group}}}, "cold": {{{Group}}}}}],
             "comparisons": [{"student": "mf", "loss": "listwise", "group": "all", "metric": "NDCG@10", "gain": 0.01,
                              "low": 0.002, "high": 0.02, "seedSpread": 0.001, "verdict": "wins"}]}
            """);
        RecommenderReport report = RecommenderJsonReader.Read(json);
        RecommenderModelResult model = Assert.Single(report.Models);
        Assert.Equal(("mf + listwise", "mf", "bce + listwise"), (model.Name, model.Student, model.Loss));
        Assert.True(double.IsNaN(model.UsersPerSecond));
        Assert.Equal(0.031, model.All["NDCG@10"].Max);
        Assert.Equal(Verdict.Wins, Assert.Single(report.Comparisons).Result.Verdict);
        File.WriteAllText(json, """{"engine": "pytorch"}""");
        Assert.Contains(json, Assert.Throws<InvalidDataException>(() => RecommenderJsonReader.Read(json)).Message);
    }

    [Theory]
    [InlineData("pipeline --loss hinge", "Unknown ranking loss 'hinge'")]
    [InlineData("pipeline --distill soft", "Unknown ranking distillation 'soft'")]
    [InlineData("pipeline --distill none", "'none' is the student alone")]
    [InlineData("pipeline --teacher 64:16", "WIDTH:GENRE_WIDTH:HIDDEN")]
    [InlineData("synth", "'--out PATH' is required")]
    [InlineData("rank", "unknown recsys command 'rank'")]
    public void Bad_arguments_are_usage_errors(string args, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => RecsysCommand.Run(args.Split(' '), new StringWriter())).Message);

    [Fact]
    public void A_missing_data_file_names_it()
    {
        string missing = Path.Combine(_dir, "nope.csv");
        Assert.Contains("nope.csv", Assert.ThrowsAny<IOException>(() => RecsysCommand.Run(["pipeline", "--data", missing], new StringWriter())).Message);
    }
}
