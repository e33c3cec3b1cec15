using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Gpu;
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
/// A whole-model workload on an MLP of the given widths at one batch size, on the seeded data and with the
/// distillation loss of <see cref="BenchCases"/> (which bench/ uses too).
/// </summary>
internal sealed record ModelCase(string Id, string What, ModelWorkload Workload, string Model, int Batch)
{
    /// <summary>Times the workload on <paramref name="threads"/> threads of the CPU backend.</summary>
    public BenchResult Run(int threads, BenchBudget budget, PeakFlops peak)
    {
        CpuKernels.Threads = threads;
        double seconds = Time(CpuCompute.Default, budget, synchronize: null).Seconds;
        double peakGflops = threads == 1 ? peak.SingleCoreGflops : peak.AllCoresGflops;
        BenchResult result = Result(seconds, threads);
        return result with { PercentOfPeak = peakGflops > 0 ? 100 * result.Gflops / peakGflops : null };
    }

    /// <summary>
    /// Times the workload on <paramref name="device"/>: the model, its optimizer state and the step's data live there,
    /// and each timed repetition ends when the device has finished its queue. One more call after the timing counts
    /// the kernels it launches and the host↔device copies it makes.
    /// </summary>
    public BenchResult RunOn(GpuCompute device, BenchBudget budget)
    {
        var (seconds, counts) = Time(device, budget, device.Synchronize);
        return Result(seconds, threads: 0) with { Device = device.Name, KernelLaunches = counts?.Launches, HostCopies = counts?.Copies };
    }

    // Median seconds of one call on backend, and on a device what one more call launched and copied; the model is
    // built on the CPU from seed 1 and moved there. What the row put on a device (model, optimizer state, graph, step
    // data) is released when it ends, before the next row runs.
    private (double Seconds, (long Launches, long Copies)? Counts) Time(ICompute backend, BenchBudget budget, Action? synchronize)
    {
        MlpSpec spec = MlpSpec.Parse(Model);
        using var model = new Mlp(spec, new Rng(1));
        model.To(backend);
        using var graph = new Graph(backend);
        var (hostInputs, labels, hostTeacherLogits) = BenchCases.StepData(spec, Batch);
        Tensor inputs = On(backend, hostInputs), teacherLogits = On(backend, hostTeacherLogits);
        IntTensor labelTensor = ReferenceEquals(backend, CpuCompute.Default) ? IntTensor.FromArray(labels) : IntTensor.Upload(labels, backend);
        try
        {
            if (Workload == ModelWorkload.Infer) return (MedianTimer.Inference(model, inputs, budget, synchronize), null);
            using var optimizer = new Adam(model.Parameters(), 1e-3f);
            Action step = () => Step(model, graph, optimizer, inputs, teacherLogits, labelTensor);
            double seconds = MedianTimer.Seconds(step, budget, synchronize);
            return (seconds, backend is GpuCompute device ? Count(device, step) : null);
        }
        finally
        {
            DeviceMemory.Release(inputs); // on the CPU these are the host tensors themselves, which stay
            DeviceMemory.Release(teacherLogits);
            DeviceMemory.Release(labelTensor);
        }
    }

    // One training (or distillation) step of model on the graph's backend.
    private void Step(Mlp model, Graph graph, Adam optimizer, Tensor inputs, Tensor teacherLogits, IntTensor labelTensor)
    {
        graph.Reset();
        Variable logits = model.Forward(graph.Input(inputs));
        Variable loss = Workload == ModelWorkload.Train
            ? Losses.CrossEntropy(logits, labelTensor)
            : BenchCases.DistillationLoss(logits, graph.Input(teacherLogits), labelTensor);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
    }

    // The kernels one call launches on device and the copies it makes either way.
    private static (long Launches, long Copies) Count(GpuCompute device, Action call)
    {
        device.Synchronize();
        long launches = device.KernelLaunches, copies = device.Uploads + device.Downloads;
        call();
        device.Synchronize();
        return (device.KernelLaunches - launches, device.Uploads + device.Downloads - copies);
    }

    // A seeded CPU tensor where the backend computes (itself on the CPU: no copy).
    private static Tensor On(ICompute backend, Tensor host) =>
        ReferenceEquals(backend, CpuCompute.Default) ? host : Tensor.Upload(host.Span, host.Shape, backend);

    private BenchResult Result(double seconds, int threads) => new()
    {
        Id = Id,
        What = What,
        Kind = Workload switch { ModelWorkload.Train => "train", ModelWorkload.Distill => "distill", _ => "infer" },
        Threads = threads,
        Seconds = seconds,
        Flops = Flops(MlpSpec.Parse(Model)),
        Model = Model,
        Batch = Batch,
        Temperature = Workload == ModelWorkload.Distill ? BenchCases.Temperature : null,
        Alpha = Workload == ModelWorkload.Distill ? BenchCases.Alpha : null,
        SamplesPerSecond = Workload == ModelWorkload.Infer ? Batch / seconds : null,
        MsPerStep = Workload == ModelWorkload.Infer ? null : seconds * 1e3,
    };

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
}
