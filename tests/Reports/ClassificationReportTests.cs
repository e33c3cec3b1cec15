using System.Text.Json;
using System.Text.RegularExpressions;
using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

// The class-level part of the pipeline report: ClassificationDetail from predictions, and how the HTML, Markdown and
// JSON reports show it (heat maps with class names, per-class tables, ROC and PR curves for binary tasks only).
public class ClassificationReportTests
{
    // Four rows, two classes: probabilities of class 1 are 0.9, 0.4, 0.6, 0.2 for labels 1, 1, 0, 0.
    private static readonly float[] BinaryProbabilities = [0.1f, 0.9f, 0.6f, 0.4f, 0.4f, 0.6f, 0.8f, 0.2f];
    private static readonly int[] BinaryLabels = [1, 1, 0, 0];

    private static ClassificationDetail BinaryDetail(int? positive = null) =>
        ClassificationDetail.Of(BinaryProbabilities, 2, BinaryLabels, ["no", "yes"], positive);

    // n rows of `classes` classes: row i has label i % classes and puts 0.7 on the right class for two rows in three.
    private static ClassificationDetail MultiDetail(int classes, int rows = 60)
    {
        var p = new float[rows * classes];
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            labels[i] = i % classes;
            int guess = i % 3 == 0 ? (labels[i] + 1) % classes : labels[i];
            for (int c = 0; c < classes; c++) p[i * classes + c] = c == guess ? 0.7f : 0.3f / (classes - 1);
        }
        return ClassificationDetail.Of(p, classes, labels, Enumerable.Range(0, classes).Select(c => $"class<{c}>").ToArray(), null);
    }

    private static PipelineReport Report(Func<ClassificationDetail> detail) =>
        ReportFixture.Sample(m => m with { Detail = detail() });

    [Fact]
    public void Detail_holds_the_confusion_matrix_and_per_class_rows_under_the_class_names()
    {
        ClassificationDetail d = BinaryDetail();

        // Predictions: 1, 0, 1, 0 → true yes: 1 yes, 1 no; true no: 1 yes, 1 no.
        Assert.Equal(new[,] { { 1, 1 }, { 1, 1 } }, d.Confusion);
        Assert.Equal(new ClassRow("yes", 0.5, 0.5, 0.5, 2), d.Classes[1]);
        Assert.Equal(0.5, d.MicroF1, 12);
    }

    [Fact]
    public void A_binary_detail_defaults_to_the_second_class_and_records_a_chosen_one()
    {
        BinaryDetail byDefault = BinaryDetail().Binary!, chosen = BinaryDetail(positive: 0).Binary!;

        Assert.Equal(("yes", false), (byDefault.PositiveClass, byDefault.Chosen));
        Assert.Equal(("no", true), (chosen.PositiveClass, chosen.Chosen));
        // yes: ranks 0.9 (pos) > 0.6 (neg) > 0.4 (pos) > 0.2 (neg) → AUC ¾, AP (1 + ⅔) / 2.
        Assert.Equal(0.75, byDefault.RocAuc, 12);
        Assert.Equal((1 + 2.0 / 3) / 2, byDefault.AveragePrecision, 12);
        Assert.Equal([0, 0, 0.5, 0.5, 1], byDefault.Roc!.X);
    }

    [Fact]
    public void A_multi_class_detail_has_no_binary_view_unless_a_class_is_chosen()
    {
        Assert.Null(MultiDetail(3).Binary);
    }

    [Fact]
    public void A_long_curve_is_thinned_but_keeps_its_ends()
    {
        int n = 20_000;
        var p = new float[2 * n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            float score = (i * 7919 % n) / (float)n;
            (p[2 * i], p[2 * i + 1]) = (1 - score, score);
        }

        CurvePoints roc = ClassificationDetail.Of(p, 2, labels, null, null).Binary!.Roc!;

        Assert.InRange(roc.X.Count, 10, 2 * ClassificationDetail.MaxCurvePoints + 1);
        Assert.Equal((0.0, 0.0), (roc.X[0], roc.Y[0]));
        Assert.Equal((1.0, 1.0), (roc.X[^1], roc.Y[^1]));
    }

    [Fact]
    public void Html_draws_a_heat_map_per_core_model_with_escaped_class_names_on_both_axes()
    {
        string html = HtmlReport.Render(Report(() => MultiDetail(10)));

        // Two scenarios × three core models.
        Assert.Equal(6, Regex.Matches(html, "<table class=\"heatmap\">").Count);
        Assert.Contains("<th class=\"num\">class&lt;9&gt;</th>", html);
        Assert.Contains("<tr><th>class&lt;9&gt;</th>", html);
        Assert.Contains("rgba(0, 114, 178, 0.667)", html);
        Assert.DoesNotContain("ROC curve", html);
    }

    [Fact]
    public void Html_of_a_binary_task_draws_ROC_and_PR_curves_naming_the_positive_class()
    {
        string html = HtmlReport.Render(Report(() => BinaryDetail()));

        Assert.Contains("all labels: ROC curve, positive class &#39;yes&#39;", html);
        Assert.Contains("few labels: precision–recall curve, positive class &#39;yes&#39;", html);
        Assert.Contains("Positive class: &#39;yes&#39; (the second class in sorted order", html);
        Assert.Equal(2, Regex.Matches(html, "<line class=\"chance\"").Count);
    }

    [Fact]
    public void Html_without_details_has_no_class_section()
    {
        string html = HtmlReport.Render(ReportFixture.Sample());

        Assert.DoesNotContain("scores by class", html);
        Assert.DoesNotContain("class=\"heatmap\"", html);
    }

    [Fact]
    public void Markdown_gets_the_scores_table_and_the_per_class_F1()
    {
        string md = MarkdownReport.Render(Report(() => BinaryDetail()));

        Assert.Contains("### all labels: scores by class (first seed)", md);
        Assert.Contains("| model | log-loss | Brier | balanced accuracy (%) | MCC | F1 macro | F1 micro | F1 weighted | ROC-AUC | PR-AUC | precision | recall | F1 |", md);
        Assert.Contains("| yes | 0.5000 | 0.5000 | 0.5000 | 2 |", md);
    }

    [Fact]
    public void Json_gets_the_confusion_matrix_per_class_rows_and_binary_scores()
    {
        using var json = JsonDocument.Parse(JsonReport.Render(Report(() => BinaryDetail())));
        JsonElement detail = json.RootElement.GetProperty("scenarios")[0].GetProperty("models")[0].GetProperty("detail");

        Assert.Equal("[[1,1],[1,1]]", detail.GetProperty("confusion").GetRawText().Replace("\n", "").Replace(" ", ""));
        Assert.Equal("yes", detail.GetProperty("classes")[1].GetProperty("name").GetString());
        Assert.Equal(0.75, detail.GetProperty("binary").GetProperty("rocAuc").GetDouble(), 12);
        Assert.Equal(5, detail.GetProperty("binary").GetProperty("roc").GetProperty("x").GetArrayLength());
    }
}
