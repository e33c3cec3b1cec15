using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Autograd;

// Cross-entropy over a transfer-set batch: rows labelled −1 take no part (PyTorch's ignore_index=-1).
public class UnlabelledCrossEntropyTests
{
    [Fact]
    public void Unlabelled_rows_are_left_out_of_the_mean_and_get_no_gradient()
    {
        Tensor logits = Check.Random(5, -3, 3, 5, 4);
        int[] mixed = [2, -1, 0, -1, 3];
        var graph = new Graph();
        Variable x = graph.Input(logits, requiresGrad: true);
        Variable loss = Losses.CrossEntropy(x, mixed, 0.1f, ignoreUnlabelled: true);
        loss.Backward();

        int[] kept = [0, 2, 4];
        Tensor keptLogits = Tensor.FromArray(kept.SelectMany(r => logits.ToArray().Skip(r * 4).Take(4)).ToArray(), 3, 4);
        var reference = new Graph();
        Variable y = reference.Input(keptLogits, requiresGrad: true);
        Variable expected = Losses.CrossEntropy(y, new[] { 2, 0, 3 }, 0.1f);
        expected.Backward();

        Assert.Equal(expected.Item(), loss.Item(), 6);
        float[] grad = x.Grad.ToArray(), keptGrad = y.Grad.ToArray();
        for (int k = 0; k < kept.Length; k++)
            Check.Close(keptGrad.AsSpan(k * 4, 4).ToArray(), grad.AsSpan(kept[k] * 4, 4).ToArray(), 1e-7, 1e-6, $"row {kept[k]}");
        Assert.All(grad.AsSpan(4, 4).ToArray().Concat(grad.AsSpan(12, 4).ToArray()), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void A_batch_without_labels_has_zero_loss_and_zero_gradient()
    {
        var graph = new Graph();
        Variable x = graph.Input(Check.Random(6, -3, 3, 3, 4), requiresGrad: true);
        Variable loss = Losses.CrossEntropy(x, new[] { -1, -1, -1 }, ignoreUnlabelled: true);
        loss.Backward();
        Assert.Equal(0f, loss.Item());
        Assert.All(x.Grad.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Unlabelled_rows_are_rejected_unless_asked_for()
    {
        var graph = new Graph();
        Variable x = graph.Input(Check.Random(7, -3, 3, 2, 4));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, new[] { 1, -1 }));
        Assert.Contains("Label -1 at index 1", e.Message);
    }

    [Fact]
    public void The_gradient_with_unlabelled_rows_matches_finite_differences()
    {
        int[] labels = [1, -1, 3, 0];
        var r = GradCheck.Check(v => Losses.CrossEntropy(v[0], labels, 0f, ignoreUnlabelled: true), [Check.Random(8, -3, 3, 4, 5)]);
        Assert.True(r.Passed, r.ToString());
    }
}
