using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace TinyKd.Distill.Reports;

/// <summary>
/// The pipeline report as JSON: indented with "\n", camelCase property names (<see cref="JsonNamingPolicy.CamelCase"/>
/// of the record members), every member of every record in its declaration order, curves included.
/// </summary>
/// <remarks>
/// JSON has no NaN or infinity, so a number that is not finite is written as <c>null</c> (as JavaScript's
/// <c>JSON.stringify</c> does); every other double is written in its shortest round-trip form. Letters outside ASCII
/// ("α", "µ") are written as themselves; the characters HTML gives meaning to are escaped.
/// The document is written member by member rather than by the reflection serializer, so the field order is fixed by
/// this file and no trimming or source-generation setting can change it.
/// </remarks>
public static class JsonReport
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    /// <summary>Renders <paramref name="report"/> as one JSON object.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static string Render(PipelineReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
            Report(json, report);
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void Report(Utf8JsonWriter json, PipelineReport report)
    {
        json.WriteStartObject();
        json.WriteString(Name(nameof(PipelineReport.Title)), report.Title);
        json.WriteString(Name(nameof(PipelineReport.Data)), report.Data);
        json.WriteString(Name(nameof(PipelineReport.Recipe)), report.Recipe);
        json.WriteStartArray(Name(nameof(PipelineReport.Seeds)));
        foreach (ulong seed in report.Seeds) json.WriteNumberValue(seed);
        json.WriteEndArray();
        json.WriteStartArray(Name(nameof(PipelineReport.Scenarios)));
        foreach (var scenario in report.Scenarios) Scenario(json, scenario);
        json.WriteEndArray();
        Number(json, nameof(PipelineReport.WallSeconds), report.WallSeconds);
        json.WriteString(Name(nameof(PipelineReport.Machine)), report.Machine);
        json.WriteEndObject();
    }

    private static void Scenario(Utf8JsonWriter json, ScenarioReport scenario)
    {
        json.WriteStartObject();
        json.WriteString(Name(nameof(ScenarioReport.Name)), scenario.Name);
        json.WriteString(Name(nameof(ScenarioReport.Description)), scenario.Description);
        json.WriteStartArray(Name(nameof(ScenarioReport.Models)));
        foreach (var model in scenario.Models) Model(json, model);
        json.WriteEndArray();
        json.WriteStartArray(Name(nameof(ScenarioReport.Search)));
        foreach (var cell in scenario.Search) Cell(json, cell);
        json.WriteEndArray();
        json.WriteStartObject(Name(nameof(ScenarioReport.Comparison)));
        Number(json, nameof(Comparison.GainPoints), scenario.Comparison.GainPoints);
        Number(json, nameof(Comparison.SpreadPoints), scenario.Comparison.SpreadPoints);
        json.WriteString(Name(nameof(Comparison.Verdict)), scenario.Comparison.Verdict);
        json.WriteString(Name(nameof(Comparison.Caveat)), scenario.Comparison.Caveat);
        json.WriteEndObject();
        json.WriteStartArray(Name(nameof(ScenarioReport.Pruning)));
        foreach (var cost in scenario.Pruning)
        {
            json.WriteStartObject();
            json.WriteString(Name(nameof(PruningCost.Model)), cost.Model);
            Number(json, nameof(PruningCost.Sparsity), cost.Sparsity);
            Number(json, nameof(PruningCost.ChangePoints), cost.ChangePoints);
            Number(json, nameof(PruningCost.SpreadPoints), cost.SpreadPoints);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Model(Utf8JsonWriter json, ModelResult model)
    {
        json.WriteStartObject();
        json.WriteString(Name(nameof(ModelResult.Name)), model.Name);
        json.WriteString(Name(nameof(ModelResult.Architecture)), model.Architecture);
        json.WriteString(Name(nameof(ModelResult.Settings)), model.Settings);
        Stat(json, nameof(ModelResult.Accuracy), model.Accuracy);
        Stat(json, nameof(ModelResult.MacroF1), model.MacroF1);
        Stat(json, nameof(ModelResult.Ece), model.Ece);
        json.WriteNumber(Name(nameof(ModelResult.Parameters)), model.Parameters);
        json.WriteNumber(Name(nameof(ModelResult.ModelBytes)), model.ModelBytes);
        Number(json, nameof(ModelResult.MicrosecondsPerSample), model.MicrosecondsPerSample);
        Number(json, nameof(ModelResult.TrainSeconds), model.TrainSeconds);
        json.WriteStartArray(Name(nameof(ModelResult.Curves)));
        foreach (var curve in model.Curves)
        {
            json.WriteStartArray();
            foreach (double value in curve) NumberValue(json, value);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        Number(json, nameof(ModelResult.Sparsity), model.Sparsity);
        Number(json, nameof(ModelResult.SamplesPerSecond), model.SamplesPerSecond);
        json.WriteStartArray(Name(nameof(ModelResult.KeptEpochs)));
        foreach (int epoch in model.KeptEpochs) json.WriteNumberValue(epoch);
        json.WriteEndArray();
        json.WritePropertyName(Name(nameof(ModelResult.Detail)));
        if (model.Detail is { } detail) Detail(json, detail);
        else json.WriteNullValue();
        json.WriteEndObject();
    }

    private static void Detail(Utf8JsonWriter json, ClassificationDetail detail)
    {
        json.WriteStartObject();
        json.WriteStartArray(Name(nameof(ClassificationDetail.ClassNames)));
        foreach (string name in detail.ClassNames) json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteStartArray(Name(nameof(ClassificationDetail.Confusion)));
        for (int t = 0; t < detail.Confusion.GetLength(0); t++)
        {
            json.WriteStartArray();
            for (int p = 0; p < detail.Confusion.GetLength(1); p++) json.WriteNumberValue(detail.Confusion[t, p]);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteStartArray(Name(nameof(ClassificationDetail.Classes)));
        foreach (var row in detail.Classes)
        {
            json.WriteStartObject();
            json.WriteString(Name(nameof(ClassRow.Name)), row.Name);
            Number(json, nameof(ClassRow.Precision), row.Precision);
            Number(json, nameof(ClassRow.Recall), row.Recall);
            Number(json, nameof(ClassRow.F1), row.F1);
            json.WriteNumber(Name(nameof(ClassRow.Support)), row.Support);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        Number(json, nameof(ClassificationDetail.LogLoss), detail.LogLoss);
        Number(json, nameof(ClassificationDetail.Brier), detail.Brier);
        Number(json, nameof(ClassificationDetail.BalancedAccuracy), detail.BalancedAccuracy);
        Number(json, nameof(ClassificationDetail.Mcc), detail.Mcc);
        Number(json, nameof(ClassificationDetail.MacroF1), detail.MacroF1);
        Number(json, nameof(ClassificationDetail.MicroF1), detail.MicroF1);
        Number(json, nameof(ClassificationDetail.WeightedF1), detail.WeightedF1);
        json.WritePropertyName(Name(nameof(ClassificationDetail.Binary)));
        if (detail.Binary is { } b)
        {
            json.WriteStartObject();
            json.WriteString(Name(nameof(BinaryDetail.PositiveClass)), b.PositiveClass);
            json.WriteBoolean(Name(nameof(BinaryDetail.Chosen)), b.Chosen);
            Number(json, nameof(BinaryDetail.RocAuc), b.RocAuc);
            Number(json, nameof(BinaryDetail.AveragePrecision), b.AveragePrecision);
            Number(json, nameof(BinaryDetail.Precision), b.Precision);
            Number(json, nameof(BinaryDetail.Recall), b.Recall);
            Number(json, nameof(BinaryDetail.F1), b.F1);
            Curve(json, nameof(BinaryDetail.Roc), b.Roc);
            Curve(json, nameof(BinaryDetail.PrecisionRecall), b.PrecisionRecall);
            json.WriteEndObject();
        }
        else json.WriteNullValue();
        json.WriteEndObject();
    }

    private static void Curve(Utf8JsonWriter json, string member, CurvePoints? curve)
    {
        json.WritePropertyName(Name(member));
        if (curve is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        foreach (var (axis, values) in new[] { (nameof(CurvePoints.X), curve.X), (nameof(CurvePoints.Y), curve.Y) })
        {
            json.WriteStartArray(Name(axis));
            foreach (double value in values) NumberValue(json, value);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void Stat(Utf8JsonWriter json, string member, SeedStat stat)
    {
        json.WriteStartObject(Name(member));
        Number(json, nameof(SeedStat.Mean), stat.Mean);
        Number(json, nameof(SeedStat.Std), stat.Std);
        Number(json, nameof(SeedStat.Min), stat.Min);
        Number(json, nameof(SeedStat.Max), stat.Max);
        json.WriteNumber(Name(nameof(SeedStat.Count)), stat.Count);
        json.WriteEndObject();
    }

    private static void Cell(Utf8JsonWriter json, SearchCell cell)
    {
        json.WriteStartObject();
        Number(json, nameof(SearchCell.Temperature), cell.Temperature);
        Number(json, nameof(SearchCell.Alpha), cell.Alpha);
        Number(json, nameof(SearchCell.ValidationAccuracy), cell.ValidationAccuracy);
        json.WriteBoolean(Name(nameof(SearchCell.Chosen)), cell.Chosen);
        json.WriteStartArray(Name(nameof(SearchCell.SeedAccuracies)));
        foreach (double accuracy in cell.SeedAccuracies) NumberValue(json, accuracy);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string member, double value)
    {
        json.WritePropertyName(Name(member));
        NumberValue(json, value);
    }

    private static void Number(Utf8JsonWriter json, string member, float value)
    {
        json.WritePropertyName(Name(member));
        if (float.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteNullValue();
    }

    private static void NumberValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteNullValue();
    }

    private static string Name(string member) => JsonNamingPolicy.CamelCase.ConvertName(member);
}
