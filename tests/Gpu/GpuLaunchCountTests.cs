using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Distillation;
using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Tests.Gpu;

// What one training step costs a device in launches and copies: GpuCompute counts its kernel launches and its
// host↔device copies. The launch counts below are today's; an op fused away lowers them (update the numbers and say
// which launches went), an extra kernel in a step raises them and fails here first.
[Collection(IlgpuCpuCollection.Name)]
public class GpuLaunchCountTests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

    [Fact]
    public void A_three_layer_train_step_launches_13_kernels_and_copies_nothing()
    {
        // Forward: 3 GEMMs (the bias, and in the hidden layers the ReLU, in their epilogue); cross-entropy: log-softmax
        // and the fused NLL, which also counts the labelled rows (2); backward (its seed dloss = 1 is the graph's
        // constant, filled once, not each step): the fused CE backward with the forward's count, written over the
        // logits' gradient (no zero-fill first) (1), per layer dX (not the first) and dW, in one launch where a layer
        // needs both (3), the output layer's bias sum (1), per hidden layer the ReLU backward written over its buffer
        // with the bias sum in the same launch (2); Adam, one multi-tensor launch for the six parameters (1).
        var (launches, copies) = CountStep("9-12-12-3", distill: false);
        Assert.Equal(13, launches);
        Assert.Equal(0, copies);
    }

    [Fact]
    public void A_two_layer_kd_step_launches_16_kernels_and_copies_nothing()
    {
        // Forward: 2 GEMMs; the fused KL rows and their sum, α·T² applied by the sum (2); log-softmax and NLL, 1 − α
        // applied by the NLL (2); the terms' sum (1). Backward: the sum's gradient to both terms, each written over its
        // buffer (2); the CE backward with 1 − α, and the KL's saved gradient added to it with α·T² (2); the output
        // layer's dX and dW in one launch, its bias sum, the ReLU backward with the hidden bias sum, the hidden dW (4);
        // Adam (1). The weights folded into the loss kernels took 4 launches away (2 scalings forward, 2 backward).
        var (launches, copies) = CountStep("9-4-3", distill: true);
        Assert.Equal(16, launches);
        Assert.Equal(0, copies);
    }

    [Fact]
    public void Copies_count_one_per_non_empty_transfer_each_way()
    {
        using Storage storage = _gpu.Allocate(6);
        var tensor = new Tensor(storage, new Shape(6));
        long uploads = _gpu.Uploads, downloads = _gpu.Downloads, launches = _gpu.KernelLaunches;
        _gpu.CopyFromHost(tensor, new float[6]);
        _gpu.CopyFromHost(tensor.Slice(0, 0), ReadOnlySpan<float>.Empty);
        _gpu.CopyToHost(tensor, new float[6]);
        IntTensor ints = IntTensor.Upload([1, 2, 3], _gpu);
        int[] back = ints.ToArray();
        DeviceMemory.Release(ints);
        Assert.Equal([1, 2, 3], back);
        Assert.Equal(2, _gpu.Uploads - uploads);
        Assert.Equal(2, _gpu.Downloads - downloads);
        Assert.Equal(launches, _gpu.KernelLaunches);
    }

    // The step of `tinykd bench --device` on a model of these widths, batch 5, labels and inputs already on the device:
    // the launches and copies of the third step.
    private (long Launches, long Copies) CountStep(string widths, bool distill)
    {
        MlpSpec spec = MlpSpec.Parse(widths);
        using var model = new Mlp(spec, new Rng(3));
        model.To(_gpu);
        using var graph = new Graph(_gpu);
        using var optimizer = new Adam(model.Parameters(), 1e-3f);
        int classes = spec.Sizes[^1];
        Tensor x = IlgpuCpuFixture.On(_gpu, Tensor.FromArray(Enumerable.Range(0, 5 * spec.Sizes[0]).Select(i => (i % 7) / 7f).ToArray(), 5, spec.Sizes[0]));
        Tensor teacher = IlgpuCpuFixture.On(_gpu, Tensor.FromArray(Enumerable.Range(0, 5 * classes).Select(i => (i % 5) - 2f).ToArray(), 5, classes));
        IntTensor labels = IntTensor.Upload(Enumerable.Range(0, 5).Select(i => i % classes).ToArray(), _gpu);
        void Step()
        {
            graph.Reset();
            Variable logits = model.Forward(graph.Input(x));
            // The bench's KD objective (BenchCases.DistillationLoss): α·T²·KL(teacher ‖ student, T) + (1 − α)·CE, T = 4, α = 0.9.
            Variable loss = distill
                ? SoftTargetLoss.Compute(logits, graph.Input(teacher), labels, temperature: 4f, alpha: 0.9f)
                : Losses.CrossEntropy(logits, labels);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        Step();
        Step();
        _gpu.Synchronize();
        long launches = _gpu.KernelLaunches, copies = _gpu.Uploads + _gpu.Downloads;
        Step();
        _gpu.Synchronize();
        (long, long) counts = (_gpu.KernelLaunches - launches, _gpu.Uploads + _gpu.Downloads - copies);
        DeviceMemory.Release(x);
        DeviceMemory.Release(teacher);
        DeviceMemory.Release(labels);
        return counts;
    }
}
