using TinyKd.Distill.Data;
using TinyKd.Distill.Pipeline;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Pipeline;

public class ScenarioDataTests
{
    private static Dataset Numbered(int n) =>
        new(TinyKd.Tensors.Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1),
            Enumerable.Range(0, n).Select(i => i % 4).ToArray(), 4, "numbered");

    private static int[] Ids(Dataset d) => d.Features.ToArray().Select(v => (int)v).ToArray();

    [Fact]
    public void Few_labels_keeps_validation_out_of_training_and_labels_only_the_labelled_part()
    {
        Dataset train = Numbered(1000);
        var data = ScenarioData.Create(Scenario.FewLabels, train, seed: 3, validationFraction: 0.1, labelled: 200);
        Assert.Equal(180, data.Labelled.Count);
        Assert.Equal(20, data.Validation.Count);
        Assert.Equal(980, data.Transfer.Count);
        Assert.Equal(180, data.Transfer.LabelledCount);
        Assert.Empty(Ids(data.Validation).Intersect(Ids(data.Transfer)));
        int[] transferIds = Ids(data.Transfer);
        var labelledIds = transferIds.Where((_, i) => data.Transfer.Labels[i] != Dataset.Unlabelled).ToArray();
        Assert.Equal(Ids(data.Labelled), labelledIds);
        for (int i = 0; i < transferIds.Length; i++)
            if (data.Transfer.Labels[i] != Dataset.Unlabelled) Assert.Equal(transferIds[i] % 4, data.Transfer.Labels[i]);
    }

    [Fact]
    public void All_labels_trains_every_model_on_the_same_rows()
    {
        var data = ScenarioData.Create(Scenario.AllLabels, Numbered(100), 3, 0.1, 20);
        Assert.Same(data.Labelled, data.Transfer);
        // Stratified: each of the 4 classes (25 rows) gives round(2.5) = 2 (ties to even) rows to validation.
        Assert.Equal(8, data.Validation.Count);
        Assert.Equal([2, 2, 2, 2], data.Validation.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(92, data.Labelled.Count);
        Assert.Empty(Ids(data.Validation).Intersect(Ids(data.Labelled)));
    }

    [Fact]
    public void Seeds_give_different_splits_and_a_seed_the_same_one()
    {
        int[] A(ulong seed) => Ids(ScenarioData.Create(Scenario.FewLabels, Numbered(500), seed, 0.1, 100).Labelled);
        int[] first = A(1), again = A(1), other = A(2);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Labelling_every_sample_leaves_no_transfer_set_and_is_rejected()
    {
        Check.Throws<ArgumentException>(() => ScenarioData.Create(Scenario.FewLabels, Numbered(100), 1, 0.1, 100), "--labelled 100", "100 training samples");
    }

    [Theory]
    [InlineData(Scenario.AllLabels)]
    [InlineData(Scenario.FewLabels)]
    public void The_rows_name_the_training_rows_each_split_holds(Scenario scenario)
    {
        var data = ScenarioData.Create(scenario, Numbered(300), seed: 5, validationFraction: 0.1, labelled: 50);
        Assert.Equal(Ids(data.Labelled), data.Rows.Labelled);
        Assert.Equal(Ids(data.Validation), data.Rows.Validation);
        Assert.Equal(Ids(data.Transfer), data.Rows.Transfer);
    }
}
