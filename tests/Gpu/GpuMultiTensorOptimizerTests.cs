using System.Runtime.InteropServices;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// Multi-tensor Adam and SGD (ICompute.AdamUpdate/SgdUpdate over a span of parameters) and gradient clipping's
// SumsOfSquares/ScaleAll: on each backend the same bits as one call per tensor, and on the ILGPU backend one launch per
// eight tensors; a bad entry changes nothing.
[Collection(IlgpuCpuCollection.Name)]
public class GpuMultiTensorOptimizerTests(IlgpuCpuFixture fixture)
{
    // Eleven parameters, one of them empty: two launches of the GPU kernel (eight, then two).
    private static readonly int[] Lengths = [17 * 33, 1, 5, 0, 33, 100, 7, 64, 3, 257, 31];
    private readonly GpuCompute _gpu = fixture.Gpu;

    public static TheoryData<bool, float> Decays() => new() { { false, 0f }, { false, 0.01f }, { true, 0.01f } };

    [Theory]
    [MemberData(nameof(Decays))]
    public void Multi_tensor_adam_equals_one_update_per_parameter_bit_for_bit_on_each_backend(bool decoupled, float weightDecay)
    {
        foreach (ICompute backend in new ICompute[] { CpuCompute.Default, _gpu })
        {
            AdamTensors[] single = Parameters(backend), many = Parameters(backend);
            for (long step = 1; step <= 3; step++)
            {
                var hyper = new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled, step);
                foreach (AdamTensors t in single) backend.AdamUpdate(t.Parameter, t.Gradient, t.M, t.V, hyper);
                backend.AdamUpdate(many, hyper);
            }
            for (int i = 0; i < Lengths.Length; i++)
            {
                string what = $"{backend.GetType().Name} parameter {i} (length {Lengths[i]}, decoupled {decoupled}, wd {weightDecay})";
                Assert.True(Bits(single[i].Parameter).SequenceEqual(Bits(many[i].Parameter)), $"{what}: weights differ");
                Assert.True(Bits(single[i].M).SequenceEqual(Bits(many[i].M)), $"{what}: first moments differ");
                Assert.True(Bits(single[i].V).SequenceEqual(Bits(many[i].V)), $"{what}: second moments differ");
            }
        }
    }

    public static TheoryData<float, float, bool> Momenta() => new() { { 0f, 0f, false }, { 0.9f, 0.1f, false }, { 0.9f, 0f, true } };

    [Theory]
    [MemberData(nameof(Momenta))]
    public void Multi_tensor_sgd_equals_one_update_per_parameter_bit_for_bit_on_each_backend(float momentum, float dampening, bool nesterov)
    {
        foreach (ICompute backend in new ICompute[] { CpuCompute.Default, _gpu })
        {
            AdamTensors[] single = Parameters(backend), many = Parameters(backend);
            SgdTensors[] group = [.. many.Select(t => new SgdTensors(t.Parameter, t.Gradient, momentum == 0f ? default : t.M))];
            for (int step = 0; step < 3; step++)
            {
                var hyper = new SgdStep(0.05f, momentum, dampening, nesterov, 1e-3f, step == 0);
                foreach (AdamTensors t in single) backend.SgdUpdate(t.Parameter, t.Gradient, t.M, hyper);
                backend.SgdUpdate(group, hyper);
            }
            for (int i = 0; i < Lengths.Length; i++)
            {
                string what = $"{backend.GetType().Name} parameter {i} (length {Lengths[i]}, momentum {momentum}, nesterov {nesterov})";
                Assert.True(Bits(single[i].Parameter).SequenceEqual(Bits(many[i].Parameter)), $"{what}: weights differ");
                if (momentum != 0f) Assert.True(Bits(single[i].M).SequenceEqual(Bits(many[i].M)), $"{what}: momentum buffers differ");
            }
        }
    }

    [Fact]
    public void Sums_of_squares_and_scaling_of_many_tensors_equal_one_call_each_bit_for_bit_on_each_backend()
    {
        float[][] norms = new float[2][];
        int b = 0;
        foreach (ICompute backend in new ICompute[] { CpuCompute.Default, _gpu })
        {
            Tensor[] xs = [.. Parameters(backend).Select(t => t.Parameter)], ys = [.. Parameters(backend).Select(t => t.Parameter)];
            Tensor many = Tensor.Zeros(new Shape(xs.Length), backend), one = Tensor.Zeros(new Shape(1), backend);
            backend.SumsOfSquares(xs, many, 0.5f);
            norms[b++] = many.ToArray();
            for (int i = 0; i < xs.Length; i++)
            {
                backend.SumOfSquares(one, xs[i], 0.5f);
                Assert.True(Bits(one)[0] == Bits(many)[i], $"{backend.GetType().Name}: squared norm of tensor {i} differs from its own call");
            }
            backend.ScaleAll(xs, 0.37f);
            foreach (Tensor y in ys) backend.Axpby(y, y, 0.37f, 0f);
            for (int i = 0; i < xs.Length; i++)
                Assert.True(Bits(xs[i]).SequenceEqual(Bits(ys[i])), $"{backend.GetType().Name}: scaled tensor {i} differs from Axpby");
        }
        Check.Close(norms[0], norms[1], GpuComputeTests.SumAtol, GpuComputeTests.SumRtol, "squared norms, CPU against GPU");
        Check.Throws<ArgumentException>(() => _gpu.SumsOfSquares([Tensor.Zeros(new Shape(3), _gpu)], Tensor.Zeros(new Shape(2), _gpu), 1f), "results");
    }

    [Fact]
    public void Clipping_a_gpu_models_gradients_takes_two_launches_and_one_download()
    {
        using var model = new Mlp(MlpSpec.Parse("9-12-12-3"), new Rng(5));
        model.To(_gpu);
        using var graph = new Graph(_gpu);
        using var optimizer = new Adam(model.Parameters(), 1e-3f);
        Tensor x = On(_gpu, Check.Random(91, -1f, 1f, 5, 9));
        Losses.CrossEntropy(model.Forward(graph.Input(x)), new[] { 0, 1, 2, 0, 1 }).Backward();
        long launches = _gpu.KernelLaunches, downloads = _gpu.Downloads;
        double norm = optimizer.ClipGradNorm(1e-3f);
        Assert.True(norm > 1e-3, $"the norm {norm} should need clipping");
        Assert.Equal(2, _gpu.KernelLaunches - launches);
        Assert.Equal(1, _gpu.Downloads - downloads);
    }

    [Fact]
    public void The_gpu_updates_eight_parameters_per_launch()
    {
        AdamTensors[] tensors = Parameters(_gpu);
        var hyper = new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
        long before = _gpu.KernelLaunches;
        _gpu.AdamUpdate(tensors.AsSpan(0, 8), hyper);
        Assert.Equal(1, _gpu.KernelLaunches - before);
        before = _gpu.KernelLaunches;
        _gpu.AdamUpdate(tensors, hyper);
        Assert.Equal(2, _gpu.KernelLaunches - before);
        before = _gpu.KernelLaunches;
        _gpu.AdamUpdate(tensors.AsSpan(3, 1), hyper);
        Assert.Equal(0, _gpu.KernelLaunches - before);
        SgdTensors[] sgd = [.. tensors.Select(t => new SgdTensors(t.Parameter, t.Gradient, t.M))];
        before = _gpu.KernelLaunches;
        _gpu.SgdUpdate(sgd, new SgdStep(0.05f, 0.9f, 0f, false, 0f, true));
        Assert.Equal(2, _gpu.KernelLaunches - before);
        Tensor[] xs = [.. tensors.Select(t => t.Parameter)];
        before = _gpu.KernelLaunches;
        _gpu.SumsOfSquares(xs, Tensor.Zeros(new Shape(xs.Length), _gpu), 1f);
        _gpu.ScaleAll(xs, 0.5f);
        Assert.Equal(4, _gpu.KernelLaunches - before);
    }

    [Fact]
    public void A_bad_entry_throws_before_any_parameter_moves()
    {
        AdamTensors[] tensors = Parameters(_gpu);
        tensors[9] = tensors[9] with { V = Tensor.Zeros(new Shape(Lengths[9] + 1), _gpu) };
        int[][] before = [.. tensors.Select(t => Bits(t.Parameter))];
        var e = Assert.Throws<ArgumentException>(() => _gpu.AdamUpdate(tensors, new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, 0f, false, 1)));
        Assert.Contains("v", e.Message, StringComparison.Ordinal);
        for (int i = 0; i < tensors.Length; i++) Assert.True(before[i].SequenceEqual(Bits(tensors[i].Parameter)), $"parameter {i} moved");
        SgdTensors[] sgd = [.. tensors.Select(t => new SgdTensors(t.Parameter, t.Gradient, t.V))];
        e = Assert.Throws<ArgumentException>(() => _gpu.SgdUpdate(sgd, new SgdStep(0.05f, 0.9f, 0f, false, 0f, true)));
        Assert.Contains("momentumBuffer", e.Message, StringComparison.Ordinal);
        for (int i = 0; i < tensors.Length; i++) Assert.True(before[i].SequenceEqual(Bits(tensors[i].Parameter)), $"parameter {i} moved by SGD");
    }

    private static int[] Bits(Tensor t) => MemoryMarshal.Cast<float, int>(t.ToArray()).ToArray();

    // Fresh parameters with random weights and gradients (the same for every call) and zero moments, on the backend.
    private static AdamTensors[] Parameters(ICompute backend) =>
    [
        .. Lengths.Select((n, i) => new AdamTensors(On(backend, Check.Random(50 + (ulong)i, -1f, 1f, n)), On(backend, Check.Random(70 + (ulong)i, -1f, 1f, n)),
            Tensor.Zeros(new Shape(n), backend), Tensor.Zeros(new Shape(n), backend))),
    ];
}
