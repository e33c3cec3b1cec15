using System.Globalization;
using System.Text.RegularExpressions;
using TinyKd.Cli;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Cli;

// The metrics a user of a binary or multi-class table reads in the console: --positive-class, its default, the
// Brier score, the F1 averages and the per-class table.
public sealed class MetricsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-metrics-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private (string Train, string Test, string Model, string Output) TrainBinary(params string[] more)
    {
        string train = OwnDataFiles.WriteBinaryCsv(File("train.csv"), 180, seed: 3);
        string test = OwnDataFiles.WriteBinaryCsv(File("test.csv"), 90, seed: 4);
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--data", train, "--test", test, "--model", "8", "--dropout", "0", "--epochs", "15",
            "--batch-size", "32", "--lr", "0.01", "--out", File("model.tkd"), .. more], output));
        return (train, test, File("model.tkd"), output.ToString());
    }

    private static string Eval(string model, string train, string test, params string[] more)
    {
        var output = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([model, "--data", train, "--test", test, .. more], output));
        return output.ToString();
    }

    private static double Number(string output, string pattern) =>
        double.Parse(Regex.Match(output, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void A_binary_task_takes_the_second_class_as_positive_and_says_so()
    {
        string output = TrainBinary().Output;

        Assert.Contains("positive class 'malignant' (the second class in sorted order; choose with --positive-class): ROC-AUC", output);
        Assert.Matches(@"PR-AUC \(average precision\) 0\.\d{4}  precision \d\.\d{4}  recall \d\.\d{4}  F1 \d\.\d{4}", output);
        Assert.Matches(@"Brier 0\.\d{4} \(positive class\)", output);
    }

    [Fact]
    public void Eval_with_positive_class_scores_that_class_and_the_other_choice_changes_PR_AUC_but_not_ROC_AUC()
    {
        var (train, test, model, _) = TrainBinary();

        string benign = Eval(model, train, test, "--positive-class", "benign");
        string malignant = Eval(model, train, test, "--positive-class", "malignant");

        Assert.Contains("positive class 'benign': ROC-AUC", benign);
        Assert.DoesNotContain("second class in sorted order", benign);
        const string Roc = @"positive class '\w+': ROC-AUC (\d\.\d{4})", Ap = @"average precision\) (\d\.\d{4})";
        // Swapping the classes mirrors the ROC curve (same area) but not the precision–recall curve: benign is the
        // larger class, so its AP is higher.
        Assert.Equal(Number(benign, Roc), Number(malignant, Roc), 3);
        Assert.True(Number(benign, Ap) > Number(malignant, Ap), $"benign AP {Number(benign, Ap)}, malignant AP {Number(malignant, Ap)}");
    }

    [Fact]
    public void An_unknown_positive_class_is_a_usage_error_naming_the_classes()
    {
        var (train, test, model, _) = TrainBinary();

        var e = Assert.Throws<UsageException>(() => Eval(model, train, test, "--positive-class", "Malignant"));

        Assert.Contains("--positive-class 'Malignant' is not a class of the data; the classes are 'benign', 'malignant'", e.Message);
    }

    [Fact]
    public void A_multi_class_task_prints_Brier_the_F1_averages_and_a_chosen_class_against_the_rest()
    {
        string train = OwnDataFiles.WriteCsv(File("train3.csv"), 120, seed: 1), test = OwnDataFiles.WriteCsv(File("test3.csv"), 60, seed: 2);
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--data", train, "--test", test, "--model", "8", "--dropout", "0", "--epochs", "10",
            "--batch-size", "32", "--lr", "0.01", "--out", File("m3.tkd"), "--positive-class", "gamma"], output));
        string text = output.ToString();

        Assert.Matches(@"Brier \d\.\d{4} \(sum over classes\)", text);
        Assert.Matches(@"F1 macro \d\.\d{4}  micro \d\.\d{4}  weighted \d\.\d{4}", text);
        Assert.Contains("positive class 'gamma' against the rest: ROC-AUC", text);
        Assert.Equal(Number(text, @"test: accuracy (\d+\.\d\d)%") / 100, Number(text, @"micro (\d\.\d{4})"), 4);
    }

    [Fact]
    public void Without_the_option_a_multi_class_task_prints_no_positive_class()
    {
        string train = OwnDataFiles.WriteCsv(File("train3.csv"), 120, seed: 1), test = OwnDataFiles.WriteCsv(File("test3.csv"), 60, seed: 2);
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--data", train, "--test", test, "--model", "8", "--dropout", "0", "--epochs", "10", "--batch-size", "32", "--lr", "0.01", "--out", File("m3.tkd")], output));

        Assert.DoesNotContain("positive class", output.ToString());
        Assert.Contains("gamma", output.ToString());
    }

    [Fact]
    public void Pipeline_report_on_a_binary_csv_has_heat_maps_curves_and_the_positive_class()
    {
        string train = OwnDataFiles.WriteBinaryCsv(File("train.csv"), 180, seed: 3), test = OwnDataFiles.WriteBinaryCsv(File("test.csv"), 90, seed: 4);
        string report = File("report");
        var output = new StringWriter();
        Assert.Equal(0, PipelineCommand.Run(["--data", train, "--test", test, "--teacher", "16", "--student", "4",
            "--teacher-epochs", "40", "--student-epochs", "40", "--seeds", "1", "--no-search", "--scenario", "all", "--no-prune", "--no-int8",
            "--positive-class", "benign", "--report", report], output));

        string html = System.IO.File.ReadAllText(Path.Combine(report, "report.html"));
        Assert.Equal(3, Regex.Matches(html, "<table class=\"heatmap\">").Count);
        Assert.Contains("<th class=\"num\">malignant</th>", html);
        Assert.Contains("ROC curve, positive class &#39;benign&#39;", html);
        Assert.Contains("precision–recall curve, positive class &#39;benign&#39;", html);
        Assert.Contains("Positive class: 'benign' (--positive-class).", output.ToString());
        Assert.Contains("### all labels: scores by class (first seed)", output.ToString());
    }

    [Fact]
    public void Pipeline_rejects_an_unknown_positive_class_before_training()
    {
        string train = OwnDataFiles.WriteBinaryCsv(File("train.csv"), 60, seed: 3), test = OwnDataFiles.WriteBinaryCsv(File("test.csv"), 30, seed: 4);
        var output = new StringWriter();

        var e = Assert.Throws<UsageException>(() => PipelineCommand.Run(["--data", train, "--test", test, "--teacher", "16", "--student", "4",
            "--seeds", "1", "--positive-class", "yes", "--report", File("report")], output));

        Assert.Contains("the classes are 'benign', 'malignant'", e.Message);
        Assert.DoesNotContain("teacher 6-16-2:", output.ToString());
    }

    [Fact]
    public void Eval_maps_the_test_labels_by_the_model_s_class_names_not_by_the_test_file_s_own_order()
    {
        var (train, _, model, _) = TrainBinary();
        Assert.Equal(["benign", "malignant"], TinyKd.Distill.Models.ModelFile.Load(model).ClassNames);
        // A test file holding only malignant rows: read on its own it would have one class (index 0); with the model's
        // names its rows are class 1, so every benign prediction is a miss and the table shows support 0 for benign.
        string lines = string.Join("\n", System.IO.File.ReadAllLines(train).Where(l => l.EndsWith(",malignant", StringComparison.Ordinal)).Take(30));
        string onlyMalignant = File("malignant.csv");
        System.IO.File.WriteAllText(onlyMalignant, "f0,f1,f2,f3,f4,f5,diagnosis\n" + lines + "\n");

        string output = Eval(model, train, onlyMalignant);

        Assert.Matches(@"\n\s+0 benign\s+\d\.\d{3}\s+0\.000\s+0\.000\s+0\n", output);
        Assert.Matches(@"\n\s+1 malignant\s+1\.000\s+\d\.\d{3}\s+\d\.\d{3}\s+30\n", output);
    }

    [Fact]
    public void Eval_of_a_test_label_the_model_never_saw_names_the_file_line_and_label()
    {
        var (train, test, model, _) = TrainBinary();
        string[] rows = System.IO.File.ReadAllLines(test);
        rows[5] = rows[5][..rows[5].LastIndexOf(',')] + ",uncertain";
        string bad = File("bad.csv");
        System.IO.File.WriteAllLines(bad, rows);

        var e = Assert.Throws<InvalidDataException>(() => Eval(model, train, bad));

        Assert.Contains($"CSV file '{bad}' line 6, column 'diagnosis': label 'uncertain' is not one of the classes benign, malignant", e.Message);
    }
}
