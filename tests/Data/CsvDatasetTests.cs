using TinyKd.Distill.Data;

namespace TinyKd.Tests.Data;

public class CsvDatasetTests
{
    private static Dataset Read(string text, string label = "label", CsvOptions? options = null) =>
        CsvDataset.Load(new StringReader(text), "toy.csv", label, options);

    [Fact]
    public void Csv_reads_numeric_features_and_integer_labels()
    {
        var data = Read("a,label,b\n1.5,2,-3\n4,0,5e-1\n");

        Assert.Equal((2, 2, 3), (data.Count, data.FeatureCount, data.Classes));
        Assert.Equal([1.5f, -3f, 4f, 0.5f], data.Features.ToArray());
        Assert.Equal([2, 0], data.Labels);
        Assert.Null(data.ClassNames);
    }

    [Fact]
    public void Csv_maps_string_labels_to_classes_in_sorted_order()
    {
        var data = Read("x,label\n1,dog\n2,cat\n3,emu\n4,cat\n");

        Assert.Equal(["cat", "dog", "emu"], data.ClassNames!);
        Assert.Equal([1, 0, 2, 0], data.Labels);
    }

    [Fact]
    public void Csv_uses_given_class_names_so_a_test_file_maps_like_the_training_file()
    {
        var data = Read("x,label\n1,emu\n", options: new CsvOptions { ClassNames = ["cat", "dog", "emu"] });

        Assert.Equal(3, data.Classes);
        Assert.Equal([2], data.Labels);
    }

    [Fact]
    public void Csv_reads_quoted_fields_and_skips_blank_lines()
    {
        var data = Read("\"x\",label\n\"2.5\",\"a,b\"\n\n3,\"say \"\"hi\"\"\"\n");

        Assert.Equal([2.5f, 3f], data.Features.ToArray());
        Assert.Equal(["a,b", "say \"hi\""], data.ClassNames!);
    }

    [Fact]
    public void Csv_reads_a_file_from_disk()
    {
        using var dir = new TempDirectory();
        string path = dir.File("iris.csv");
        File.WriteAllText(path, "f;class\n0.5;1\n");

        var data = CsvDataset.Load(path, "class", new CsvOptions { Separator = ';', Classes = 3 });

        Assert.Equal((1, 1, 3), (data.Count, data.FeatureCount, data.Classes));
        Assert.Contains(path, data.Source);
    }

    [Fact]
    public void Csv_rejects_non_numeric_value_naming_file_line_and_column()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b,label\n1,2,0\n3,oops,1\n"));

        Assert.Contains("toy.csv", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("column 2 'b'", e.Message);
        Assert.Contains("'oops'", e.Message);
    }

    [Fact]
    public void Csv_rejects_missing_label_column_listing_the_columns_found()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b,target\n1,2,0\n"));

        Assert.Contains("toy.csv", e.Message);
        Assert.Contains("'label'", e.Message);
        Assert.Contains("a, b, target", e.Message);
    }

    [Fact]
    public void Csv_rejects_ragged_row_naming_file_and_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b,label\n1,2,0\n1,2\n"));

        Assert.Contains("toy.csv", e.Message);
        Assert.Contains("line 3 has 2 fields", e.Message);
        Assert.Contains("3 columns", e.Message);
    }

    [Fact]
    public void Csv_rejects_negative_integer_label_naming_file_and_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,label\n1,0\n2,-1\n"));

        Assert.Contains("toy.csv", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("label -1", e.Message);
    }

    [Fact]
    public void Csv_rejects_a_file_without_data_rows()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,label\n"));

        Assert.Contains("toy.csv", e.Message);
    }
}
