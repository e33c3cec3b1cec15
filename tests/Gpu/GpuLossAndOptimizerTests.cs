using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.GpuComputeTests;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The ILGPU backend's softmax, loss, norm, dropout and optimizer kernels against the CPU backend. Tolerances: the
// dropout mask is bit for bit; the losses and row kernels (float here, double or another order on the CPU) 1e-5
// relative + 1e-6 absolute; the optimizer updates (the same float operations; only √ and the JIT may differ)
// 1e-6 relative + 1e-7 absolute.
[Collection(IlgpuCpuCollection.Name)]
public class GpuLossAndOptimizerTests(IlgpuCpuFixture fixture)
{
    private const int Rows = 17, Classes = 5;
    private readonly GpuCompute _gpu = fixture.Gpu;
    private readonly Tensor _logits = Check.Random(31, -4f, 4f, Rows, Classes), _teacher = Check.Random(32, -3f, 5f, Rows, Classes);
    private readonly int[] _labels = [.. Enumerable.Range(0, Rows).Select(r => r % 4 == 1 ? ComputeChecks.Unlabelled : r * 7 % Classes)];

    private (float[] Cpu, float[] Gpu) Both(Func<ICompute, Tensor> body) => (body(CpuCompute.Default).ToArray(), body(_gpu).ToArray());

    [Theory]
    [InlineData(1f, false)]
    [InlineData(2.5f, true)]
    [InlineData(0.7f, false)]
    public void Softmax_and_its_backward_match_the_cpu_with_temperature_and_log(float temperature, bool log)
    {
        Tensor dy = Check.Random(33, -1f, 1f, Rows, Classes), dx0 = Check.Random(34, -1f, 1f, Rows, Classes);
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = Tensor.Zeros(_logits.Shape, b);
            b.Softmax(y, On(b, _logits), temperature, log);
            return y;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, $"softmax T={temperature} log={log}");
        Tensor y = Tensor.FromArray(cpu, _logits.Shape);
        (cpu, gpu) = Both(b =>
        {
            Tensor dx = On(b, dx0);
            b.SoftmaxBackward(dx, On(b, y), On(b, dy), temperature, log);
            return dx;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, $"softmax backward T={temperature} log={log}");
    }

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(0.1f, 1f)]
    [InlineData(0.1f, 0.35f)]
    public void Nll_loss_and_the_fused_cross_entropy_backward_skip_unlabelled_rows_as_the_cpu(float smoothing, float weight)
    {
        Tensor logp = Tensor.Zeros(_logits.Shape);
        CpuCompute.Default.Softmax(logp, _logits, 1f, log: true);
        Tensor scale = Tensor.FromArray([0.6f], 1), dLogits0 = Check.Random(35, -1f, 1f, Rows, Classes);
        var (cpu, gpu) = Both(b =>
        {
            Tensor loss = Tensor.Zeros(new Shape(1), b);
            b.NllLoss(loss, On(b, logp), IntTensor.Upload(_labels, b), smoothing, weight: weight);
            return loss;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, $"NLL ε={smoothing} weight {weight}");
        foreach (bool accumulate in new[] { true, false })
        {
            (cpu, gpu) = Both(b =>
            {
                Tensor d = On(b, dLogits0);
                b.SoftmaxCrossEntropyBackward(d, On(b, logp), IntTensor.Upload(_labels, b), smoothing, On(b, scale), accumulate, factor: weight);
                return d;
            });
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"cross-entropy backward ε={smoothing} weight {weight}, {(accumulate ? "added" : "written")}");
        }
    }

    [Theory]
    [InlineData(1, 0f)]
    [InlineData(7, 0.1f)]
    [InlineData(33, 0f)]
    [InlineData(300, 0.1f)]
    [InlineData(300, 0f)]
    public void The_one_launch_nll_loss_matches_the_cpu_on_batches_longer_and_shorter_than_a_group(int rows, float smoothing)
    {
        // 300 rows: more than a group of any backend (the ILGPU CPU accelerator's 16, a GPU's 256), so threads stride.
        Tensor logits = Check.Random((ulong)rows, -4f, 4f, rows, 37), logp = Tensor.Zeros(logits.Shape);
        CpuCompute.Default.Softmax(logp, logits, 1f, log: true);
        int[] labels = [.. Enumerable.Range(0, rows).Select(r => r % 5 == 3 ? ComputeChecks.Unlabelled : r * 11 % 37)];
        var (cpu, gpu) = Both(b =>
        {
            Tensor loss = Tensor.Zeros(new Shape(1), b);
            b.NllLoss(loss, On(b, logp), IntTensor.Upload(labels, b), smoothing);
            return loss;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, $"NLL of {rows} rows ε={smoothing}");
    }

    [Theory]
    [MemberData(nameof(LabelledCountChecks.Batches), MemberType = typeof(LabelledCountChecks))]
    public void Nll_loss_writes_the_labelled_count_on_the_device(string batch) =>
        LabelledCountChecks.NllLoss_writes_the_labelled_count(_gpu, batch);

    [Theory]
    [MemberData(nameof(LabelledCountChecks.Batches), MemberType = typeof(LabelledCountChecks))]
    public void Cross_entropy_backward_with_the_forwards_count_equals_backward_without_it_bit_for_bit(string batch) =>
        LabelledCountChecks.Backward_with_the_count_equals_backward_without_it_bit_for_bit(_gpu, batch, 0.1f);

    [Fact]
    public void A_labelled_count_that_is_not_one_element_is_rejected_naming_it() =>
        LabelledCountChecks.A_count_that_is_not_one_element_is_rejected_naming_it(_gpu);

    [Fact]
    public void A_batch_without_labels_gives_zero_loss_and_no_gradient_counted_on_the_device()
    {
        Tensor logp = Tensor.Zeros(new Shape(3, Classes), _gpu), loss = Tensor.Zeros(new Shape(1), _gpu), d = Tensor.Zeros(logp.Shape, _gpu);
        _gpu.Fill(loss, 9f);
        IntTensor none = IntTensor.Upload([ComputeChecks.Unlabelled, ComputeChecks.Unlabelled, ComputeChecks.Unlabelled], _gpu);
        _gpu.NllLoss(loss, logp, none, 0.1f);
        _gpu.SoftmaxCrossEntropyBackward(d, logp, none, 0.1f, Tensor.Upload([1f], new Shape(1), _gpu));
        Assert.Equal(0f, loss.Item());
        Assert.False(float.IsNegative(loss.Item()), "the loss of a batch without labels is +0");
        Assert.All(d.ToArray(), v => Assert.Equal(0f, v));
        _gpu.Fill(d, 5f);
        _gpu.SoftmaxCrossEntropyBackward(d, logp, none, 0.1f, Tensor.Upload([1f], new Shape(1), _gpu), accumulate: false);
        Assert.All(d.ToArray(), v => Assert.Equal(0f, v)); // written over: unlabelled rows get 0
    }

    [Theory]
    [InlineData(1f, true, 1f)]
    [InlineData(4f, false, 1f)]
    [InlineData(4f, true, 14.4f)]
    public void Kl_divergence_with_gradients_matches_the_cpu(float temperature, bool teacherGradient, float weight)
    {
        Tensor Run(ICompute b, int output)
        {
            Tensor loss = Tensor.Zeros(new Shape(1), b), ds = Tensor.Zeros(_logits.Shape, b);
            Tensor dt = teacherGradient ? Tensor.Zeros(_logits.Shape, b) : default;
            b.KlDivergenceWithGradient(loss, ds, dt, On(b, _logits), On(b, _teacher), temperature, weight);
            return output switch { 0 => loss, 1 => ds, _ => teacherGradient ? dt : loss };
        }
        foreach (int output in new[] { 0, 1, 2 })
        {
            var (cpu, gpu) = Both(b => Run(b, output));
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"KL output {output} at T={temperature}, weight {weight}");
        }
    }

    [Fact]
    public void Bce_with_logits_its_backward_and_sums_of_squares_into_a_view_match_the_cpu()
    {
        Tensor targets = Check.Random(36, 0f, 1f, Rows, Classes), scale = Tensor.FromArray([1.3f], 1);
        var (cpu, gpu) = Both(b =>
        {
            Tensor loss = Tensor.Zeros(new Shape(1), b);
            b.BceWithLogits(loss, On(b, _logits), On(b, targets));
            return loss;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, "BCE");
        foreach (int output in new[] { 0, 1 })
        {
            (cpu, gpu) = Both(b =>
            {
                Tensor dx = On(b, targets), dt = On(b, _teacher);
                b.BceWithLogitsBackward(dx, dt, On(b, _logits), On(b, targets), On(b, scale));
                return output == 0 ? dx : dt;
            });
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"BCE backward output {output}");
        }
        (cpu, gpu) = Both(b =>
        {
            Tensor norms = Tensor.Zeros(new Shape(3), b);
            b.SumOfSquares(new Tensor(norms.Storage, new Shape(1), 1), On(b, Check.Random(37, -1f, 1f, 65, 31)), 0.5f);
            return norms;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, "sum of squares into element 1");
        Assert.Equal(0f, gpu[0]);
    }

    [Fact]
    public void The_dropout_mask_is_the_cpus_bit_for_bit_for_the_same_seed_and_stream()
    {
        foreach (var (p, seed, stream) in new[] { (0.25f, 7UL, 0UL), (0.5f, 123456789UL, 3UL), (0f, 1UL, 1UL) })
        {
            var (cpu, gpu) = Both(b =>
            {
                Tensor mask = Tensor.Zeros(new Shape(65, 31), b);
                b.DropoutMask(mask, p, seed, stream);
                return mask;
            });
            Assert.True(cpu.AsSpan().SequenceEqual(gpu), $"mask for p={p} seed={seed} stream={stream} differs");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => _gpu.DropoutMask(Tensor.Zeros(new Shape(2), _gpu), 1f, 0, 0));
    }

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(false, 0.01f)]
    [InlineData(true, 0.01f)]
    public void Adam_and_adamw_updates_match_the_cpu_over_three_steps(bool decoupled, float weightDecay)
    {
        Tensor p0 = Check.Random(38, -1f, 1f, 17, 33), g = Check.Random(39, -1f, 1f, 17, 33);
        foreach (int output in new[] { 0, 1, 2 })
        {
            var (cpu, gpu) = Both(b =>
            {
                Tensor p = On(b, p0), m = Tensor.Zeros(p0.Shape, b), v = Tensor.Zeros(p0.Shape, b), grad = On(b, g);
                for (long step = 1; step <= 3; step++)
                    b.AdamUpdate(p, grad, m, v, new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled, step));
                return output switch { 0 => p, 1 => m, _ => v };
            });
            Check.Close(cpu, gpu, MathAtol, MathRtol, $"Adam output {output} (decoupled {decoupled}, wd {weightDecay})");
        }
    }

    [Theory]
    [InlineData(0f, 0f, false)]
    [InlineData(0.9f, 0.1f, false)]
    [InlineData(0.9f, 0f, true)]
    public void Sgd_updates_match_the_cpu_over_three_steps(float momentum, float dampening, bool nesterov)
    {
        Tensor p0 = Check.Random(40, -1f, 1f, 17, 33), g = Check.Random(41, -1f, 1f, 17, 33);
        var (cpu, gpu) = Both(b =>
        {
            Tensor p = On(b, p0), buffer = Tensor.Zeros(p0.Shape, b), grad = On(b, g);
            for (int step = 0; step < 3; step++)
                b.SgdUpdate(p, grad, buffer, new SgdStep(0.05f, momentum, dampening, nesterov, 1e-3f, step == 0));
            return p;
        });
        Check.Close(cpu, gpu, MathAtol, MathRtol, $"SGD μ={momentum} τ={dampening} nesterov={nesterov}");
    }
}
