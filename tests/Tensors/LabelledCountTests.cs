using TinyKd.Tensors;
using TinyKd.Tests.Devices;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// The cross-entropy's labelled-row count kept from NllLoss for SoftmaxCrossEntropyBackward, on the CPU backend and
// through the host-less test device (which forwards it); the bodies are LabelledCountChecks'.
public class LabelledCountTests
{
    public static TheoryData<string> Batches() => LabelledCountChecks.Batches();

    private static IEnumerable<ICompute> Backends() => [CpuCompute.Default, new HostlessCompute()];

    [Theory]
    [MemberData(nameof(Batches))]
    public void NllLoss_writes_the_labelled_count(string batch)
    {
        foreach (ICompute backend in Backends()) LabelledCountChecks.NllLoss_writes_the_labelled_count(backend, batch);
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void Backward_with_the_count_equals_backward_without_it_bit_for_bit(string batch)
    {
        foreach (ICompute backend in Backends())
            foreach (float smoothing in new[] { 0f, 0.1f })
                LabelledCountChecks.Backward_with_the_count_equals_backward_without_it_bit_for_bit(backend, batch, smoothing);
    }

    [Fact]
    public void A_count_that_is_not_one_element_is_rejected_naming_it()
    {
        foreach (ICompute backend in Backends()) LabelledCountChecks.A_count_that_is_not_one_element_is_rejected_naming_it(backend);
    }
}
