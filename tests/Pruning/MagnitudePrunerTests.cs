using TinyKd.Autograd.Nn;
using TinyKd.Distill.Pruning;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Pruning;

public sealed class MagnitudePrunerTests
{
    [Fact]
    public void The_cubic_schedule_follows_Zhu_and_Gupta()
    {
        var schedule = new SparsitySchedule(0, 0.9, 0, 4, 1);
        Assert.Equal([0.5203125, 0.7875, 0.8859375, 0.9], Enumerable.Range(1, 4).Select(k => Math.Round(schedule.AfterStep(k), 10)));
        var offset = new SparsitySchedule(0.2, 0.8, 100, 5, 10);
        Assert.Equal(0.2, offset.At(0), 12);
        Assert.Equal(0.2, offset.At(100), 12);
        Assert.Equal(0.8 + (0.2 - 0.8) * 0.125, offset.At(125), 12);
        Assert.Equal(0.8, offset.At(150));
        Assert.Equal(0.8, offset.At(10_000));
        Assert.Equal("Final", Assert.Throws<ArgumentOutOfRangeException>(() => new SparsitySchedule(0.5, 0.4, 0, 1, 1).At(0)).ParamName);
    }

    [Theory]
    [InlineData(PruningGranularity.Element, ThresholdScope.Global, 0.3, 134)]
    [InlineData(PruningGranularity.Element, ThresholdScope.PerLayer, 0.3, 96 + 38)]
    [InlineData(PruningGranularity.Block, ThresholdScope.Global, 0.5, 28 * 8)]
    [InlineData(PruningGranularity.Block, ThresholdScope.PerLayer, 0.5, (20 + 8) * 8)]
    [InlineData(PruningGranularity.Element, ThresholdScope.Global, 1.0, 448)]
    [InlineData(PruningGranularity.Block, ThresholdScope.Global, 0.0, 0)]
    public void One_shot_pruning_removes_exactly_the_rounded_share_of_units(PruningGranularity granularity, ThresholdScope scope, double sparsity, int zeros)
    {
        // Prunable layers: 20→16 (320 weights, 40 blocks of 8×1) and 16→8 (128 weights, 16 blocks); the 8→3 output stays dense.
        Mlp model = PruningFixtures.Model("20-16-8-3");
        PruningMask mask = MagnitudePruner.Prune(model, sparsity, new PruningOptions(granularity, scope));
        var layers = model.AffineLayers.Cast<Linear>().ToArray();
        Assert.Equal(zeros, PruningFixtures.Zeros(layers[0]) + PruningFixtures.Zeros(layers[1]));
        Assert.Equal(0, PruningFixtures.Zeros(layers[2]));
        Assert.Equal((double)zeros / 448, mask.Sparsity, 12);
        if (scope == ThresholdScope.PerLayer && granularity == PruningGranularity.Element)
            Assert.Equal([96, 38], layers.Take(2).Select(PruningFixtures.Zeros));
    }

    [Fact]
    public void A_global_threshold_prunes_the_smaller_weights_wherever_they_are_and_a_per_layer_one_takes_the_same_share_of_each()
    {
        Mlp model = PruningFixtures.Model("20-16-8-3");
        var second = (Linear)model.AffineLayers[1];
        foreach (ref float w in second.Weight.Data.Span) w = 1000 + Math.Abs(w);
        Mlp copy = PruningFixtures.Model("20-16-8-3");
        foreach (var (a, b) in copy.Parameters().Zip(model.Parameters())) b.Data.Span.CopyTo(a.Data.Span);

        MagnitudePruner.Prune(model, 0.5, new PruningOptions(PruningGranularity.Element, ThresholdScope.Global));
        Assert.Equal([224, 0], model.AffineLayers.Take(2).Cast<Linear>().Select(PruningFixtures.Zeros));
        MagnitudePruner.Prune(copy, 0.5, new PruningOptions(PruningGranularity.Element, ThresholdScope.PerLayer));
        Assert.Equal([160, 64], copy.AffineLayers.Take(2).Cast<Linear>().Select(PruningFixtures.Zeros));
    }

    [Fact]
    public void Every_pruned_weight_is_no_larger_than_every_kept_one_under_a_global_threshold()
    {
        Mlp model = PruningFixtures.Model("30-24-10");
        Mlp original = PruningFixtures.Model("30-24-10");
        MagnitudePruner.Prune(model, 0.7, new PruningOptions(PruningGranularity.Element, PruneOutputLayer: true));
        var magnitudes = original.AffineLayers.Cast<Linear>().SelectMany(l => l.Weight.Data.ToArray()).Select(MathF.Abs).ToArray();
        var pruned = model.AffineLayers.Cast<Linear>().SelectMany(l => l.Weight.Data.ToArray()).Select(v => v == 0f).ToArray();
        Assert.True(magnitudes.Where((_, i) => pruned[i]).Max() <= magnitudes.Where((_, i) => !pruned[i]).Min());
    }

    [Fact]
    public void Ties_go_to_the_earlier_unit_so_equal_weights_still_give_the_exact_sparsity()
    {
        Mlp model = PruningFixtures.Model("20-16-8-3");
        foreach (Linear layer in model.AffineLayers.Cast<Linear>()) layer.Weight.Data.Span.Fill(0.5f);
        MagnitudePruner.Prune(model, 0.25, new PruningOptions(PruningGranularity.Element));
        float[] first = ((Linear)model.AffineLayers[0]).Weight.Data.ToArray();
        Assert.All(first.Take(112), v => Assert.Equal(0f, v));
        Assert.All(first.Skip(112), v => Assert.Equal(0.5f, v));
        Assert.Equal(0, PruningFixtures.Zeros((Linear)model.AffineLayers[1]));
    }

    [Fact]
    public void Block_pruning_zeroes_whole_8x1_blocks_of_output_channels()
    {
        Mlp model = PruningFixtures.Model("20-16-8-3");
        MagnitudePruner.Prune(model, 0.6, new PruningOptions(PruningGranularity.Block, ThresholdScope.PerLayer));
        float[] w = ((Linear)model.AffineLayers[0]).Weight.Data.ToArray();
        for (int block = 0; block < 2; block++)
            for (int k = 0; k < 20; k++)
            {
                var column = Enumerable.Range(block * 8, 8).Select(r => w[r * 20 + k]).ToArray();
                Assert.True(column.All(v => v == 0f) || column.All(v => v != 0f), $"block {block}, column {k} is partly pruned");
            }
    }

    [Fact]
    public void Raising_the_sparsity_keeps_what_was_pruned_pruned()
    {
        Mlp model = PruningFixtures.Model("20-16-8-3");
        PruningMask mask = MagnitudePruner.Prune(model, 0.4, new PruningOptions(PruningGranularity.Element));
        float[] before = mask[0].ToArray();
        MagnitudePruner.Prune(mask, 0.8);
        float[] after = mask[0].ToArray();
        Assert.All(Enumerable.Range(0, before.Length), i => Assert.True(before[i] != 0f || after[i] == 0f));
        Check.Throws<ArgumentOutOfRangeException>(() => MagnitudePruner.Prune(mask, 1.5), "sparsity", "1.5");
    }
}
