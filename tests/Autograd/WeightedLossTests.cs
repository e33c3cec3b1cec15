using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

// A loss weight folded into the loss kernels (KlDivergence and CrossEntropy with weight: w) computes what scaling the
// unweighted loss computed (Ops.Scale(loss, w)), with the same float operations, so on the CPU the loss and every
// gradient are equal bit for bit; the distillation objective α·T²·KL + (1 − α)·CE uses it.
public class WeightedLossTests
{
    private static readonly int[] Labels = [2, ComputeChecks.Unlabelled, 0, 4, 1];

    [Theory]
    [InlineData(14.4f, 0.1f, 0f, true)]
    [InlineData(0.5f, 0.75f, 0.1f, false)]
    [InlineData(0f, 1f, 0f, true)]
    [InlineData(3f, 0f, 0.2f, false)]
    public void Weighted_losses_equal_the_scaled_losses_bit_for_bit(float klWeight, float ceWeight, float smoothing, bool teacherGradient)
    {
        (float Loss, float[] DStudent, float[] DTeacher) Run(bool folded)
        {
            using var graph = new Graph();
            Variable s = graph.Input(Check.Random(41, -3f, 3f, 5, 6), requiresGrad: true);
            Variable t = graph.Input(Check.Random(42, -3f, 3f, 5, 6), requiresGrad: teacherGradient);
            Variable loss = folded
                ? Losses.KlDivergence(s, t, 2.5f, weight: klWeight)
                    + Losses.CrossEntropy(s, Labels, smoothing, ignoreUnlabelled: true, weight: ceWeight)
                : Ops.Scale(Losses.KlDivergence(s, t, 2.5f), klWeight)
                    + Ops.Scale(Losses.CrossEntropy(s, Labels, smoothing, ignoreUnlabelled: true), ceWeight);
            loss.Backward();
            return (loss.Data.Item(), s.Grad.ToArray(), teacherGradient ? t.Grad.ToArray() : []);
        }
        var scaled = Run(folded: false);
        var weighted = Run(folded: true);
        Assert.Equal(BitConverter.SingleToInt32Bits(scaled.Loss), BitConverter.SingleToInt32Bits(weighted.Loss));
        Assert.Equal(scaled.DStudent.Select(BitConverter.SingleToInt32Bits), weighted.DStudent.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(scaled.DTeacher.Select(BitConverter.SingleToInt32Bits), weighted.DTeacher.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_weight_that_is_not_finite_is_rejected_naming_it(float weight)
    {
        using var graph = new Graph();
        Variable s = graph.Input(Check.Random(43, -1f, 1f, 2, 3)), t = graph.Input(Check.Random(44, -1f, 1f, 2, 3));
        var kl = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.KlDivergence(s, t, 1f, weight: weight));
        var ce = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(s, new[] { 0, 1 }, weight: weight));
        Assert.Equal("weight", kl.ParamName);
        Assert.Equal("weight", ce.ParamName);
    }
}
