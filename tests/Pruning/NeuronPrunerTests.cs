using TinyKd.Autograd.Nn;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Pruning;

public sealed class NeuronPrunerTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Removing_a_neuron_whose_weights_are_all_zero_leaves_the_outputs_bit_identical(int neuron)
    {
        Mlp model = PruningFixtures.Model("6-5-4-3");
        var (into, outOf) = ((Linear)model.AffineLayers[0], (Linear)model.AffineLayers[1]);
        into.Weight.Data.Span.Slice(neuron * 6, 6).Clear();
        into.Bias!.Data.Span[neuron] = 0f;
        for (int o = 0; o < 4; o++) outOf.Weight.Data.Span[o * 5 + neuron] = 0f;

        // 0.1 of 5 neurons rounds to one; of 4, to none.
        Mlp smaller = NeuronPruner.Prune(model, 0.1);
        Assert.Equal([6, 4, 4, 3], smaller.Spec.Sizes);
        var x = Check.Random(5, -2, 2, 9, 6);
        Assert.Equal(Evaluation.PredictLogits(model, x, 3), Evaluation.PredictLogits(smaller, x, 3));
    }

    [Fact]
    public void The_neurons_with_the_smallest_weight_norms_go_and_the_rest_keep_their_order()
    {
        Mlp model = PruningFixtures.Model("6-5-3");
        var (into, outOf) = ((Linear)model.AffineLayers[0], (Linear)model.AffineLayers[1]);
        for (int j = 0; j < 5; j++)
        {
            float scale = j is 1 or 3 ? 0.001f : 1f;
            for (int k = 0; k < 6; k++) into.Weight.Data.Span[j * 6 + k] *= scale;
            into.Bias!.Data.Span[j] *= scale;
            for (int o = 0; o < 3; o++) outOf.Weight.Data.Span[o * 5 + j] *= scale;
        }
        Mlp smaller = NeuronPruner.Prune(model, 0.4);
        Assert.Equal([6, 3, 3], smaller.Spec.Sizes);
        var kept = (Linear)smaller.AffineLayers[0];
        int[] survivors = [0, 2, 4];
        for (int r = 0; r < 3; r++)
            Assert.Equal(into.Weight.Data.ToArray().Skip(survivors[r] * 6).Take(6), kept.Weight.Data.ToArray().Skip(r * 6).Take(6));
        Check.Throws<ArgumentOutOfRangeException>(() => NeuronPruner.Prune(model, 1.0), "fraction", "[0, 1)");
    }
}
