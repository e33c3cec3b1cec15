using System.Reflection;
using System.Text.Json;
using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

public class JsonReportTests
{
    private static JsonElement Parse(PipelineReport report) => JsonDocument.Parse(JsonReport.Render(report)).RootElement;

    [Fact]
    public void Key_values_round_trip()
    {
        var sample = ReportFixture.Sample();
        var root = Parse(sample);

        Assert.Equal("TinyKd pipeline", root.GetProperty("title").GetString());
        Assert.Equal([1UL, 2UL], root.GetProperty("seeds").EnumerateArray().Select(e => e.GetUInt64()));
        Assert.Equal(321.25, root.GetProperty("wallSeconds").GetDouble());
        var model = root.GetProperty("scenarios")[1].GetProperty("models")[2];
        Assert.Equal("student distilled", model.GetProperty("name").GetString());
        Assert.Equal(sample.Scenarios[1].Models[2].Accuracy.Mean, model.GetProperty("accuracy").GetProperty("mean").GetDouble());
        Assert.Equal(2, model.GetProperty("accuracy").GetProperty("count").GetInt32());
        Assert.Equal(101_800, model.GetProperty("modelBytes").GetInt64());
        Assert.Equal("T 4, α 0.5", model.GetProperty("settings").GetString());
        Assert.Equal("loses", root.GetProperty("scenarios")[1].GetProperty("comparison").GetProperty("verdict").GetString());
    }

    [Fact]
    public void Curves_and_search_cells_are_included()
    {
        var scenario = Parse(ReportFixture.Sample()).GetProperty("scenarios")[0];

        var curves = scenario.GetProperty("models")[0].GetProperty("curves");
        Assert.Equal([0.5, 0.7, 0.8], curves[0].EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.55, 0.75], curves[1].EnumerateArray().Select(e => e.GetDouble()));
        var search = scenario.GetProperty("search");
        Assert.Equal(12, search.GetArrayLength());
        var chosen = search.EnumerateArray().Single(c => c.GetProperty("chosen").GetBoolean());
        Assert.Equal(4f, chosen.GetProperty("temperature").GetSingle());
        Assert.Equal(0.5f, chosen.GetProperty("alpha").GetSingle());
    }

    [Fact]
    public void Every_record_member_is_written_in_camel_case_and_declaration_order()
    {
        var root = Parse(ReportFixture.Sample());
        var scenario = root.GetProperty("scenarios")[0];
        var model = scenario.GetProperty("models")[0];

        AssertMembers<PipelineReport>(root);
        AssertMembers<ScenarioReport>(scenario);
        AssertMembers<Comparison>(scenario.GetProperty("comparison"));
        AssertMembers<SearchCell>(scenario.GetProperty("search")[0]);
        AssertMembers<ModelResult>(model);
        AssertMembers<SeedStat>(model.GetProperty("ece"));
    }

    [Fact]
    public void The_pruned_stage_writes_sparsity_throughput_and_the_paired_cost_per_sparsity()
    {
        var scenario = Parse(ReportFixture.WithPruning()).GetProperty("scenarios")[0];

        var pruned = scenario.GetProperty("models")[3];
        Assert.Equal(0.9, pruned.GetProperty("sparsity").GetDouble());
        Assert.Equal(123_456.4, pruned.GetProperty("samplesPerSecond").GetDouble());
        Assert.Equal(0, scenario.GetProperty("models")[0].GetProperty("sparsity").GetDouble());
        var cost = scenario.GetProperty("pruning").EnumerateArray().Single();
        AssertMembers<PruningCost>(cost);
        Assert.Equal("student pruned 90%", cost.GetProperty("model").GetString());
        Assert.Equal(-0.5, cost.GetProperty("changePoints").GetDouble());
        Assert.Equal(0, Parse(ReportFixture.Sample()).GetProperty("scenarios")[0].GetProperty("pruning").GetArrayLength());
    }

    private static void AssertMembers<T>(JsonElement element)
    {
        var expected = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(p => p.MetadataToken).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        Assert.Equal(expected, element.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Numbers_that_are_not_finite_are_written_as_null()
    {
        var report = ReportFixture.Sample(m => m with
        {
            Ece = new SeedStat(double.NaN, double.NaN, double.NaN, double.NaN, 2),
            MicrosecondsPerSample = double.PositiveInfinity,
            Curves = [[0.5, double.NegativeInfinity]],
        });

        var model = Parse(report).GetProperty("scenarios")[0].GetProperty("models")[0];

        Assert.Equal(JsonValueKind.Null, model.GetProperty("ece").GetProperty("mean").ValueKind);
        Assert.Equal(JsonValueKind.Null, model.GetProperty("microsecondsPerSample").ValueKind);
        Assert.Equal(JsonValueKind.Null, model.GetProperty("curves")[0][1].ValueKind);
        Assert.Equal(0.5, model.GetProperty("curves")[0][0].GetDouble());
    }

    [Fact]
    public void Output_is_indented_with_unescaped_letters_and_stable()
    {
        string json = JsonReport.Render(ReportFixture.Sample());

        Assert.StartsWith("{\n  \"title\": \"TinyKd pipeline\",\n", json, StringComparison.Ordinal);
        Assert.Contains("\"T 4, α 0.5\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", json, StringComparison.Ordinal);
        Assert.Equal(json, JsonReport.Render(ReportFixture.Sample()));
    }

    [Fact]
    public void Html_sensitive_characters_in_names_are_escaped()
    {
        var report = ReportFixture.Sample(m => m with { Name = "<script>\"x\"</script>" });

        string json = JsonReport.Render(report);

        Assert.DoesNotContain("<script>", json, StringComparison.Ordinal);
        var model = JsonDocument.Parse(json).RootElement.GetProperty("scenarios")[0].GetProperty("models")[0];
        Assert.Equal("<script>\"x\"</script>", model.GetProperty("name").GetString());
    }
}
