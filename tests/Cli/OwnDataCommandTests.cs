using System.Globalization;
using System.Text.Json;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Cli;

// train, eval, distill and pipeline on a user's own CSV and .npy files: widths from the data, per-feature
// standardisation by default, string class names, and errors that name the file, line and column.
public sealed class OwnDataCommandTests : IDisposable
{
    private readonly OwnDataFolder _data = new("tinykd-owndata-");
    public void Dispose() => _data.Dispose();

    private string File(string name) => _data.File(name);

    private static double TestAccuracy(string output)
    {
        string line = output.Split('\n').First(l => l.StartsWith("test: accuracy ", StringComparison.Ordinal));
        return double.Parse(line["test: accuracy ".Length..line.IndexOf('%')], CultureInfo.InvariantCulture) / 100;
    }

    private string Train(string model, params string[] more)
    {
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--data", _data.Train, "--test", _data.Test, "--model", model, "--dropout", "0", "--epochs", "30",
            "--batch-size", "32", "--lr", "0.01", "--out", File("model.tkd"), .. more], output));
        return output.ToString();
    }

    [Fact]
    public void Train_takes_the_widths_from_the_csv_standardises_per_feature_and_names_the_classes()
    {
        string output = Train("16");
        SavedModel saved = ModelFile.Load(File("model.tkd"));
        Assert.Equal("12-16-3", saved.Model.Spec.ToString());
        Assert.True(saved.Standardizer!.IsPerFeature);
        Assert.Contains("standardised per feature", output);
        Assert.Contains("alpha", output);
        Assert.Contains("gamma", output);
        Assert.True(TestAccuracy(output) > 0.8, output);
    }

    [Fact]
    public void Without_standardisation_the_badly_scaled_features_train_worse()
    {
        double standardised = TestAccuracy(Train("16"));
        double raw = TestAccuracy(Train("16", "--standardize", "none"));
        Assert.True(standardised > raw + 0.1, $"per-feature {standardised}, none {raw}");
    }

    [Fact]
    public void The_validation_split_is_stratified_and_its_rows_are_written_beside_the_model()
    {
        string output = Train("16", "--validation", "0.2");
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(File("model.splits.json")));
        JsonElement rows = json.RootElement.GetProperty("rows");
        int[] Rows(string name) => rows.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] fit = Rows("train"), validation = Rows("validation");
        Assert.Equal(Enumerable.Range(0, 240), fit.Concat(validation).Order());
        // The generator cycles the classes, so row i has class i % 3: 16 of each class's 80 rows validate.
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(16, validation.Count(i => i % 3 == c)));
        Assert.Equal(90, Rows("test").Length);
        Assert.Equal("stratified", json.RootElement.GetProperty("validation_split").GetString());
        Assert.Contains("kept the weights of epoch 30 (the last)", output);
    }

    [Fact]
    public void Keep_best_restores_the_best_validation_epoch_and_says_so()
    {
        string output = Train("16", "--validation", "0.2", "--keep-best");
        Assert.Contains("(best validation accuracy, --keep-best)", output);
        Assert.Contains("--keep-best", ModelFile.Load(File("model.tkd")).Metadata["kept_epoch"]);
    }

    [Fact]
    public void Eval_applies_the_stored_standardisation_and_reproduces_the_test_line()
    {
        string trainOutput = Train("16");
        var evalOutput = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([File("model.tkd"), "--data", _data.Train, "--test", _data.Test], evalOutput));
        string Line(string text) => text.Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
        Assert.Equal(Line(trainOutput), Line(evalOutput.ToString()));
        Assert.Contains("standardised per feature as the model was trained", evalOutput.ToString());
        Assert.Matches(@"log-loss \d+\.\d{4}  balanced accuracy \d+\.\d\d%  MCC -?\d\.\d{4}", evalOutput.ToString());
    }

    [Fact]
    public void Distill_builds_the_student_from_hidden_widths_and_the_teachers_standardisation()
    {
        Train("32");
        var output = new StringWriter();
        Assert.Equal(0, DistillCommand.Run(["--teacher", File("model.tkd"), "--student", "8", "--data", _data.Train, "--test", _data.Test,
            "--epochs", "20", "--batch-size", "32", "--lr", "0.01", "--out", File("student.tkd")], output));
        SavedModel student = ModelFile.Load(File("student.tkd"));
        Assert.Equal("12-8-3", student.Model.Spec.ToString());
        Assert.True(student.Standardizer!.IsPerFeature);
        Assert.Contains("as the teachers' inputs were", output.ToString());
        Assert.True(TestAccuracy(output.ToString()) > 0.7, output.ToString());
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(File("student.splits.json")));
        JsonElement rows = json.RootElement.GetProperty("rows");
        int[] transfer = rows.GetProperty("transfer").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] validation = rows.GetProperty("validation").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(Enumerable.Range(0, 240), transfer.Concat(validation).Order());
        Assert.Equal(["alpha", "beta", "gamma"], json.RootElement.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Npy_pairs_train_like_the_csv()
    {
        string train = OwnDataFiles.WriteNpy(File("train.npy"), 240, seed: 1);
        string test = OwnDataFiles.WriteNpy(File("test.npy"), 90, seed: 2);
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--data", train, "--test", test, "--model", "16", "--dropout", "0", "--epochs", "30",
            "--batch-size", "32", "--lr", "0.01", "--out", File("npy.tkd")], output));
        Assert.Equal("12-16-3", ModelFile.Load(File("npy.tkd")).Model.Spec.ToString());
        Assert.True(TestAccuracy(output.ToString()) > 0.8, output.ToString());
    }

    [Fact]
    public void Pipeline_runs_on_a_csv_with_widths_from_the_data()
    {
        var output = new StringWriter();
        string report = File("report");
        Assert.Equal(0, PipelineCommand.Run(["--data", _data.Train, "--test", _data.Test, "--teacher", "32", "--student", "4",
            "--teacher-epochs", "30", "--student-epochs", "30", "--seeds", "1", "--no-search", "--scenario", "all", "--no-prune", "--no-int8",
            "--report", report], output));
        string text = output.ToString();
        Assert.Contains("teacher 12-32-3, student 12-4-3", text);
        Assert.Contains("standardised per feature", text);
        Assert.True(System.IO.File.Exists(Path.Combine(report, "report.json")));
    }

    [Fact]
    public void A_full_spec_must_agree_with_the_data()
    {
        var e = Assert.Throws<UsageException>(() => Train("784-128-10"));
        Assert.Contains("input width 784", e.Message);
        Assert.Contains("12 features and 3 classes", e.Message);
    }

    [Fact]
    public void A_csv_without_test_file_or_with_an_npy_test_is_a_usage_error()
    {
        Assert.Contains("--test", Assert.Throws<UsageException>(() => TrainCommand.Run(["--data", _data.Train], TextWriter.Null)).Message);
        Assert.Contains("same kind", Assert.Throws<UsageException>(() =>
            TrainCommand.Run(["--data", _data.Train, "--test", File("t.npy")], TextWriter.Null)).Message);
        Assert.Contains("--label", Assert.Throws<UsageException>(() => TrainCommand.Run(["--label", "y"], TextWriter.Null)).Message);
    }

    [Fact]
    public void A_missing_labels_file_is_named()
    {
        string train = OwnDataFiles.WriteNpy(File("a.npy"), 30, seed: 1);
        string test = OwnDataFiles.WriteNpy(File("b.npy"), 30, seed: 2);
        System.IO.File.Delete(File("b.labels.npy"));
        var e = Assert.Throws<FileNotFoundException>(() => TrainCommand.Run(["--data", train, "--test", test], TextWriter.Null));
        Assert.Contains("b.labels.npy", e.Message);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,11,12,alpha\n1,2,alpha\n", "line 3 has 3 fields")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,x,12,alpha\n", "line 2, column 11 'f10': 'x' is not a finite number")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,11,12,\n", "line 2, column 13 'species': the label is empty")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,11,12,delta\n", "label 'delta' is not one of the classes alpha, beta, gamma")]
    public void A_bad_test_file_is_an_error_naming_it_the_line_and_the_column(string rows, string fragment)
    {
        string bad = File("bad.csv");
        System.IO.File.WriteAllText(bad, rows.Length == 0 ? "" : OwnDataFiles.Header + "\n" + rows);
        var e = Assert.ThrowsAny<InvalidDataException>(() => TrainCommand.Run(["--data", _data.Train, "--test", bad], TextWriter.Null));
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Test_columns_that_differ_from_the_training_files_are_an_error()
    {
        string bad = File("other.csv");
        System.IO.File.WriteAllText(bad, OwnDataFiles.Header.Replace("f3,", "g3,", StringComparison.Ordinal) + "\n");
        var e = Assert.Throws<InvalidDataException>(() => TrainCommand.Run(["--data", _data.Train, "--test", bad], TextWriter.Null));
        Assert.Contains("g3", e.Message);
        Assert.Contains("same columns in the same order", e.Message);
    }
}
