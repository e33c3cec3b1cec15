using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Bench;

/// <summary>What a <see cref="ModelCase"/> times.</summary>
internal enum ModelWorkload
{
    /// <summary>One Adam step on cross-entropy: reset, forward, loss, zero-grad, backward, step.</summary>
    Train,
    /// <summary>One Adam step on α·T²·KL(teacher ‖ student) + (1 − α)·CE against precomputed teacher logits.</summary>
    Distill,
    /// <summary>The forward pass alone, in evaluation mode without gradient recording.</summary>
    Infer,
}

/// <summary>
/// A whole-model workload on an MLP of the given widths at one batch size, on seeded random data (inputs uniform
/// in [0, 1], teacher logits uniform in [−5, 5], as bench/ uses).
/// </summary>
internal sealed record ModelCase(string Id, string What, ModelWorkload Workload, string Model, int Batch)
{
    /// <summary>Distillation temperature T.</summary>
    public const float Temperature = 4f;

    /// <summary>Weight α of the soft-target term.</summary>
    public const float Alpha = 0.9f;

    /// <summary>Times the workload on <paramref name="threads"/> threads.</summary>
    public BenchResult Run(int threads, BenchBudget budget, PeakFlops peak)
    {
        MlpSpec spec = MlpSpec.Parse(Model);
        var model = new Mlp(spec, new Rng(1));
        var graph = new Graph();
        var rng = new Rng(2);
        Tensor inputs = Uniform(rng, 0f, 1f, Batch, spec.InputSize);
        var labels = new int[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = rng.NextInt(spec.OutputSize);
        Tensor teacherLogits = Uniform(rng, -5f, 5f, Batch, spec.OutputSize);

        CpuKernels.Threads = threads;
        double seconds;
        if (Workload == ModelWorkload.Infer)
        {
            seconds = MedianTimer.Inference(model, inputs, budget);
        }
        else
        {
            var optimizer = new Adam(model.Parameters(), 1e-3f);
            seconds = MedianTimer.Seconds(() =>
            {
                graph.Reset();
                Variable logits = model.Forward(graph.Input(inputs));
                Variable loss = Workload == ModelWorkload.Train
                    ? Losses.CrossEntropy(logits, labels)
                    : Ops.Scale(Losses.KlDivergence(logits, graph.Input(teacherLogits), Temperature), Alpha * Temperature * Temperature)
                      + Ops.Scale(Losses.CrossEntropy(logits, labels), 1f - Alpha);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }, budget);
        }

        double flops = Flops(spec);
        double peakGflops = threads == 1 ? peak.SingleCoreGflops : peak.AllCoresGflops;
        return new BenchResult
        {
            Id = Id,
            What = What,
            Kind = Workload switch { ModelWorkload.Train => "train", ModelWorkload.Distill => "distill", _ => "infer" },
            Threads = threads,
            Seconds = seconds,
            Flops = flops,
            PercentOfPeak = peakGflops > 0 ? 100 * flops / seconds / 1e9 / peakGflops : null,
            Model = Model,
            Batch = Batch,
            Temperature = Workload == ModelWorkload.Distill ? Temperature : null,
            Alpha = Workload == ModelWorkload.Distill ? Alpha : null,
            SamplesPerSecond = Workload == ModelWorkload.Infer ? Batch / seconds : null,
            MsPerStep = Workload == ModelWorkload.Infer ? null : seconds * 1e3,
        };
    }

    /// <summary>
    /// The matrix-product FLOPs of one call, W = Σ In·Out over the layers: the forward pass is 2·B·W; a training
    /// step adds dW (2·B·W) and dX for every layer but the first, whose input needs no gradient (2·B·(W − In₀·Out₀)).
    /// Elementwise work, the loss and the optimizer are not counted.
    /// </summary>
    private double Flops(MlpSpec spec)
    {
        double weights = 0;
        for (int l = 0; l + 1 < spec.Sizes.Length; l++) weights += (double)spec.Sizes[l] * spec.Sizes[l + 1];
        double forward = 2.0 * Batch * weights;
        if (Workload == ModelWorkload.Infer) return forward;
        double firstLayer = (double)spec.Sizes[0] * spec.Sizes[1];
        return forward + 2.0 * Batch * weights + 2.0 * Batch * (weights - firstLayer);
    }

    private static Tensor Uniform(Rng rng, float low, float high, int rows, int columns)
    {
        Tensor t = Tensor.Zeros(rows, columns);
        rng.FillUniform(t.Span, low, high);
        return t;
    }
}
