using TinyKd.Distill.Data;
using TinyKd.Recommender;

namespace TinyKd.Tests.Data;

/// <summary>CSV files that would load wrongly rather than fail: each is refused with an error naming the file.</summary>
public class CsvCorruptionTests
{
    [Fact]
    public void CsvDataset_rejects_an_integer_label_that_would_make_billions_of_classes()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            CsvDataset.Load(new StringReader("x,label\n1,0\n2,2000000000\n"), "big.csv", "label"));

        Assert.Contains("big.csv", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains($"{CsvDataset.MaxClasses}", e.Message);
    }

    [Fact]
    public void CsvDataset_accepts_the_largest_allowed_label()
    {
        Dataset data = CsvDataset.Load(new StringReader($"x,label\n1,{CsvDataset.MaxClasses - 1}\n"), "edge.csv", "label");

        Assert.Equal(CsvDataset.MaxClasses, data.Classes);
    }

    [Fact]
    public void CsvDataset_rejects_a_duplicate_label_column_naming_both_positions()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            CsvDataset.Load(new StringReader("label,x,label\n0,1,1\n"), "twice.csv", "label"));

        Assert.Contains("twice.csv", e.Message);
        Assert.Contains("'label' twice (columns 1 and 3)", e.Message);
    }

    [Fact]
    public void CsvDataset_rejects_a_duplicate_feature_column()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            CsvDataset.Load(new StringReader("x,x,label\n0,1,1\n"), "twice.csv", "label"));

        Assert.Contains("'x' twice", e.Message);
    }

    [Fact]
    public void MovieLensCsv_rejects_a_duplicate_column_naming_the_file()
    {
        const string text = "movieId,title,year,genres,userId,rating,timestamp,rating\n1,A,2000,Drama,1,4,0,4\n";

        var e = Assert.Throws<InvalidDataException>(() => MovieLensCsv.Read(new StringReader(text), "ratings.csv"));

        Assert.Contains("ratings.csv", e.Message);
        Assert.Contains("'rating' twice", e.Message);
    }
}
