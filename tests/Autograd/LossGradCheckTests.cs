using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

public class LossGradCheckTests
{
    [Theory]
    [InlineData(1, 2, 0f)]
    [InlineData(5, 10, 0f)]
    [InlineData(3, 7, 0.1f)]
    public void CrossEntropy_gradient_matches_finite_differences(int b, int c, float smoothing)
    {
        int[] labels = Enumerable.Range(0, b).Select(i => (i * 3 + 1) % c).ToArray();
        var r = GradCheck.Check(v => Losses.CrossEntropy(v[0], labels, smoothing), [Check.Random(1, -3, 3, b, c)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(1, 3, 1f)]
    [InlineData(4, 10, 4f)]
    [InlineData(3, 5, 0.5f)]
    public void KlDivergence_gradient_matches_for_student_and_teacher(int b, int c, float t)
    {
        var r = GradCheck.Check(v => Losses.KlDivergence(v[0], v[1], t), [Check.Random(2, -3, 3, b, c), Check.Random(3, -3, 3, b, c)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 7)]
    public void Mse_gradient_matches_finite_differences(int b, int n)
    {
        var r = GradCheck.Check(v => Losses.Mse(v[0], v[1]), [Check.Random(4, -2, 2, b, n), Check.Random(5, -2, 2, b, n)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 6)]
    public void BceWithLogits_gradient_matches_finite_differences(int b, int n)
    {
        var r = GradCheck.Check(v => Losses.BceWithLogits(v[0], v[1]), [Check.Random(6, -4, 4, b, n), Check.Random(7, 0, 1, b, n)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void A_weighted_sum_of_losses_backpropagates_through_the_scale()
    {
        int[] labels = [0, 2, 1];
        var r = GradCheck.Check(v => Ops.Scale(Losses.KlDivergence(v[0], v[1], 2f), 3f) + Ops.Scale(Losses.CrossEntropy(v[0], labels), 0.5f),
            [Check.Random(8, -2, 2, 3, 4), Check.Random(9, -2, 2, 3, 4)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void A_weighted_sum_of_losses_backpropagates_through_the_loss_weights()
    {
        int[] labels = [0, 2, 1];
        var r = GradCheck.Check(v => Losses.KlDivergence(v[0], v[1], 2f, weight: 3f) + Losses.CrossEntropy(v[0], labels, 0.1f, weight: 0.5f),
            [Check.Random(8, -2, 2, 3, 4), Check.Random(9, -2, 2, 3, 4)]);
        Assert.True(r.Passed, r.ToString());
    }
}
