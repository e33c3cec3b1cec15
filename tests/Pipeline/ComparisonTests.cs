using TinyKd.Distill.Pipeline;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Pipeline;

// The verdict of distilled vs alone is paired by seed: the spread is that of the per-seed gains.
public class ComparisonTests
{
    [Fact]
    public void A_gain_in_every_seed_wins_even_when_the_seeds_differ_a_lot()
    {
        var c = DistillationPipeline.Compare([0.751, 0.7835, 0.737], [0.770, 0.7885, 0.7585]);
        Assert.Equal("wins", c.Verdict);
        Assert.Equal(1.5167, c.GainPoints, 3);
    }

    [Fact]
    public void A_gain_within_its_spread_ties_and_a_clear_loss_loses()
    {
        Assert.Equal("ties", DistillationPipeline.Compare([0.80, 0.80, 0.80], [0.81, 0.79, 0.805]).Verdict);
        Assert.Equal("loses", DistillationPipeline.Compare([0.80, 0.81, 0.82], [0.79, 0.80, 0.812]).Verdict);
    }

    [Fact]
    public void One_seed_is_undecided_and_unpaired_lists_are_rejected()
    {
        Assert.StartsWith("undecided", DistillationPipeline.Compare([0.8], [0.9]).Verdict);
        Check.Throws<ArgumentException>(() => DistillationPipeline.Compare([0.8, 0.7], [0.9]), "2 and 1");
    }

    [Fact]
    public void The_kept_epoch_is_named_once_when_the_seeds_agree_and_per_seed_when_not()
    {
        Assert.Equal("epoch 20 kept (the last)", DistillationPipeline.KeptEpochs([20, 20, 20], best: false));
        Assert.Equal("epochs 12, 18, 12 kept (best validation, --keep-best)", DistillationPipeline.KeptEpochs([12, 18, 12], best: true));
    }
}
