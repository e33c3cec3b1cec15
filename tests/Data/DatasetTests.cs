using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Tests.Data;

public class DatasetTests
{
    [Fact]
    public void Dataset_rejects_a_label_outside_the_classes_naming_label_and_index()
    {
        var features = Tensor.Zeros(3, 2);

        var e = Assert.Throws<ArgumentException>(() => new Dataset(features, [0, 4, 1], classes: 3, "toy"));

        Assert.Equal("labels", e.ParamName);
        Assert.Contains("label 4 at index 1", e.Message);
    }

    [Fact]
    public void Dataset_rejects_a_label_count_that_differs_from_the_rows()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros(3, 2), [0, 1], classes: 2, "toy"));

        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void Subset_copies_the_chosen_rows_and_labels_in_order()
    {
        var data = DataFixtures.Indexed(10);

        var subset = data.Subset([7, 2, 7]);

        Assert.Equal([7f, 2f, 7f], [subset.Row(0)[0], subset.Row(1)[0], subset.Row(2)[0]]);
        Assert.Equal([3, 2, 3], subset.Labels);
        subset.Row(0)[0] = -1;
        Assert.Equal(7f, data.Row(7)[0]);
    }

    [Fact]
    public void Subset_rejects_an_index_outside_the_dataset()
    {
        var e = Assert.Throws<ArgumentException>(() => DataFixtures.Indexed(5).Subset([1, 5]));

        Assert.Equal("indices", e.ParamName);
        Assert.Contains("Index 5", e.Message);
    }

    [Fact]
    public void Split_partitions_every_example_once_with_the_requested_validation_size()
    {
        var data = DataFixtures.Indexed(100);

        var (train, validation) = data.Split(0.2, seed: 7);

        Assert.Equal((80, 20), (train.Count, validation.Count));
        var rows = Enumerable.Range(0, 80).Select(i => train.Row(i)[0])
            .Concat(Enumerable.Range(0, 20).Select(i => validation.Row(i)[0]));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), rows.Order());
    }

    [Fact]
    public void Split_with_the_same_seed_gives_the_same_parts()
    {
        var data = DataFixtures.Indexed(50);

        var a = data.Split(0.3, seed: 11).Validation;
        var b = data.Split(0.3, seed: 11).Validation;

        Assert.Equal(a.Features.ToArray(), b.Features.ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.001)]
    public void Split_rejects_a_fraction_that_leaves_a_part_empty(double fraction)
    {
        var e = Assert.Throws<ArgumentException>(() => DataFixtures.Indexed(10).Split(fraction, seed: 1));

        Assert.Equal("validationFraction", e.ParamName);
    }
}
