using TinyKd.Distill.Data;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Data;

// Rows without labels in CSV data: a marked label cell (--missing-label) and a features-only file (--unlabelled).
public class CsvUnlabelledRowsTests
{
    private static Dataset Read(string text, string? missing) =>
        CsvDataset.Load(new StringReader(text), "toy.csv", "label", new CsvOptions { MissingLabel = missing });

    [Fact]
    public void A_marked_label_is_an_unlabelled_row_and_never_a_class()
    {
        var data = Read("x,label\n1,dog\n2,?\n3,cat\n4, ? \n", "?");
        Assert.Equal(["cat", "dog"], data.ClassNames!);
        Assert.Equal([1, Dataset.Unlabelled, 0, Dataset.Unlabelled], data.Labels);
        Assert.Equal(2, data.LabelledCount);
    }

    [Fact]
    public void An_empty_marker_lets_empty_integer_labels_through_as_unlabelled_rows()
    {
        var data = Read("x,label\n1,2\n2,\n3,0\n", "");
        Assert.Equal(3, data.Classes);
        Assert.Equal([2, Dataset.Unlabelled, 0], data.Labels);
    }

    [Fact]
    public void Without_a_marker_an_empty_label_stays_an_error_that_names_the_option()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("x,label\n1,2\n2,\n", null));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("--missing-label", e.Message);
    }

    [Theory]
    [InlineData("?")]
    [InlineData("NA")]
    [InlineData("nan")]
    public void Without_a_marker_a_missing_value_label_is_an_error_not_a_class(string label)
    {
        Check.Throws<InvalidDataException>(() => Read($"x,label\n1,dog\n2,{label}\n", null), "line 3", $"'{label}'", "--missing-label");
    }

    [Fact]
    public void Every_label_missing_is_an_error()
    {
        Check.Throws<InvalidDataException>(() => Read("x,label\n1,?\n2,?\n", "?"), "toy.csv", "at least one row needs a label");
    }

    [Fact]
    public void A_features_only_file_reads_as_unlabelled_rows_of_the_training_classes()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "more.csv");
        File.WriteAllText(path, "a,b\n1,2\n3,4\n5,6\n");
        var data = CsvDataset.LoadUnlabelled(path, ["a", "b"], classes: 3, classNames: ["x", "y", "z"]);
        Assert.Equal((3, 2, 3), (data.Count, data.FeatureCount, data.Classes));
        Assert.All(data.Labels, l => Assert.Equal(Dataset.Unlabelled, l));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], data.Features.ToArray());
    }

    [Fact]
    public void A_features_only_file_with_other_columns_is_an_error_naming_it_and_the_columns()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "more.csv");
        File.WriteAllText(path, "a,b,label\n1,2,x\n");
        Check.Throws<InvalidDataException>(() => CsvDataset.LoadUnlabelled(path, ["a", "b"], 3), "more.csv", "a, b, label", "no label column");
    }

    [Fact]
    public void A_npy_of_unlabelled_rows_must_have_the_training_feature_count()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "more.npy");
        NpyFile.WriteFloat32Matrix(path, new float[6], 2, 3);
        var train = new Dataset(TinyKd.Tensors.Tensor.FromArray(new float[4], 2, 2), [0, 1], 2, "train");
        Check.Throws<InvalidDataException>(() => TabularData.LoadUnlabelled(path, train, null), "more.npy", "3 features", "has 2");
        NpyFile.WriteFloat32Matrix(path, new float[4], 2, 2);
        Assert.Equal([Dataset.Unlabelled, Dataset.Unlabelled], TabularData.LoadUnlabelled(path, train, null).Labels);
    }
}
