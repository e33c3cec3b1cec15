using TinyKd.Autograd.Nn;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Pruning;
using TinyKd.Tensors;

namespace TinyKd.Tests.Pipeline;

public class PruningStageTests
{
    [Theory]
    [InlineData(10, 5, 1, 5)]
    [InlineData(20, 10, 1, 10)]
    [InlineData(3, 1, 1, 2)]
    [InlineData(1, 1, 1, 0)]
    [InlineData(0, 1, 0, 0)]
    public void The_budget_becomes_half_pruning_steps_of_one_epoch_and_half_recovery(int epochs, int steps, int perStep, int recovery)
    {
        PruningSchedule schedule = PruningStage.Schedule(0.9, epochs);

        Assert.Equal(new PruningSchedule(0.9, steps, perStep, recovery), schedule);
        Assert.Equal(epochs, schedule.TotalEpochs);
    }

    [Fact]
    public void A_bad_budget_or_sparsity_is_refused_by_name()
    {
        Assert.Equal("epochs", Assert.Throws<ArgumentOutOfRangeException>(() => PruningStage.Schedule(0.9, -1)).ParamName);
        Assert.Equal("Sparsity", Assert.Throws<ArgumentOutOfRangeException>(() => PruningStage.Schedule(1.0, 4)).ParamName);
    }

    [Fact]
    public void Sparsity_is_read_from_the_pruned_layers_alike_in_the_dense_masked_and_the_served_model()
    {
        var model = new Mlp(MlpSpec.Parse("40-24-16-3"), new Rng(7));
        Assert.Equal(0, PruningStage.PrunedLayerSparsity(model));

        PruningMask mask = MagnitudePruner.Prune(model, 0.75);
        Mlp served = SparseServing.Convert(model, ServingLayout.Sparse);

        Assert.Equal(mask.Sparsity, PruningStage.PrunedLayerSparsity(model), 12);
        Assert.Equal(mask.Sparsity, PruningStage.PrunedLayerSparsity(served), 12);
        Assert.All(served.AffineLayers.Take(2), l => Assert.IsType<SparseLinear>(l));
        Assert.IsType<Linear>(served.AffineLayers[^1]);
    }
}
