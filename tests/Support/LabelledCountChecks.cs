using TinyKd.Tensors;

namespace TinyKd.Tests.Support;

/// <summary>
/// The contract of <see cref="ICompute.NllLoss"/>'s <c>labelledCount</c>, which the cross-entropy's forward hands to
/// <see cref="ICompute.SoftmaxCrossEntropyBackward"/>, as bodies that run on any backend: the CPU's and the test device's
/// in tests/Tensors/LabelledCountTests.cs, the ILGPU backend's in tests/Gpu/GpuLossAndOptimizerTests.cs.
/// </summary>
public static class LabelledCountChecks
{
    /// <summary>Label rows of 7 classes: some unlabelled (−1), all unlabelled, none unlabelled.</summary>
    public static TheoryData<string> Batches() => new() { "some", "all", "none" };

    /// <summary>The labels of a batch named by <see cref="Batches"/>; 7 rows except "all" (3).</summary>
    public static int[] LabelsOf(string batch) => batch switch
    {
        "some" => [2, ComputeChecks.Unlabelled, 0, 6, ComputeChecks.Unlabelled, 3, 1],
        "all" => [ComputeChecks.Unlabelled, ComputeChecks.Unlabelled, ComputeChecks.Unlabelled],
        _ => [4, 0, 6, 1, 5, 2, 3],
    };

    private const int Classes = 7;

    /// <summary>NllLoss writes the number of labelled rows into the count, and the loss it writes is the one without a count.</summary>
    public static void NllLoss_writes_the_labelled_count(ICompute backend, string batch)
    {
        int[] labels = LabelsOf(batch);
        Tensor logp = LogProbabilities(backend, labels.Length);
        IntTensor onBackend = IntTensor.Upload(labels, backend);
        Tensor loss = Tensor.Zeros(new Shape(1), backend), counted = Tensor.Zeros(new Shape(1), backend), count = Tensor.Zeros(new Shape(1), backend);
        backend.Fill(count, 99f);
        backend.NllLoss(loss, logp, onBackend, 0.1f);
        backend.NllLoss(counted, logp, onBackend, 0.1f, count);
        Assert.Equal(labels.Count(l => l >= 0), count.Item());
        Assert.Equal(loss.Item(), counted.Item());
    }

    /// <summary>The backward given the forward's count writes the same bits as the backward that counts for itself.</summary>
    public static void Backward_with_the_count_equals_backward_without_it_bit_for_bit(ICompute backend, string batch, float smoothing)
    {
        int[] labels = LabelsOf(batch);
        Tensor logp = LogProbabilities(backend, labels.Length);
        IntTensor onBackend = IntTensor.Upload(labels, backend);
        Tensor count = Tensor.Zeros(new Shape(1), backend), scale = Tensor.Upload([0.6f], new Shape(1), backend);
        backend.NllLoss(Tensor.Zeros(new Shape(1), backend), logp, onBackend, smoothing, count);
        Tensor start = Check.Random(12, -1f, 1f, labels.Length, Classes);
        foreach (bool accumulate in new[] { true, false })
        {
            Tensor without = Tensor.Upload(start.Span, start.Shape, backend), with = Tensor.Upload(start.Span, start.Shape, backend);
            backend.SoftmaxCrossEntropyBackward(without, logp, onBackend, smoothing, scale, accumulate);
            backend.SoftmaxCrossEntropyBackward(with, logp, onBackend, smoothing, scale, accumulate, count);
            float[] expected = without.ToArray(), actual = with.ToArray();
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{batch} ε={smoothing} {(accumulate ? "added" : "written")}: the gradients differ");
        }
    }

    /// <summary>A count that is not one element is refused by both calls, naming the parameter.</summary>
    public static void A_count_that_is_not_one_element_is_rejected_naming_it(ICompute backend)
    {
        int[] labels = LabelsOf("some");
        Tensor logp = LogProbabilities(backend, labels.Length), two = Tensor.Zeros(new Shape(2), backend);
        IntTensor onBackend = IntTensor.Upload(labels, backend);
        var forward = Check.Throws<ArgumentException>(
            () => backend.NllLoss(Tensor.Zeros(new Shape(1), backend), logp, onBackend, 0f, two), "labelledCount", "[2]");
        Assert.Equal("labelledCount", forward.ParamName);
        var backward = Check.Throws<ArgumentException>(() => backend.SoftmaxCrossEntropyBackward(Tensor.Zeros(logp.Shape, backend), logp,
            onBackend, 0f, Tensor.Upload([1f], new Shape(1), backend), labelledCount: two), "labelledCount", "[2]");
        Assert.Equal("labelledCount", backward.ParamName);
    }

    // A log-softmax of seeded logits, [rows, Classes], on the backend.
    private static Tensor LogProbabilities(ICompute backend, int rows)
    {
        Tensor logits = Check.Random((ulong)rows, -4f, 4f, rows, Classes), logp = Tensor.Zeros(logits.Shape, backend);
        backend.Softmax(logp, Tensor.Upload(logits.Span, logits.Shape, backend), 1f, log: true);
        return logp;
    }
}
