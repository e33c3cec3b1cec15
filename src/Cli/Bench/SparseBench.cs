using TinyKd.Autograd.Nn;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Pruning;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Bench;

/// <summary>One layer shape or model that the sparse rows prune: an id prefix and its widths.</summary>
/// <param name="Id">Prefix of the row ids, e.g. <c>teacher_fc1</c>.</param>
/// <param name="Model">MLP widths; two widths are a single layer.</param>
internal sealed record SparseSubject(string Id, string Model);

/// <summary>The sparse/dense crossover of one layer shape at one batch size on this machine.</summary>
/// <param name="InFeatures">The layer's inputs.</param>
/// <param name="OutFeatures">The layer's outputs.</param>
/// <param name="Batch">Rows per call.</param>
/// <param name="Crossover">Lowest measured sparsity from which on the blocked sparse kernel beat the dense GEMM at every
/// measured sparsity (1 when it never did).</param>
internal sealed record BenchCrossover(int InFeatures, int OutFeatures, int Batch, double Crossover);

/// <summary>
/// The sparse rows of <c>tinykd bench</c>: each subject is built with seeded random weights, magnitude-pruned in 8×1
/// blocks with a per-layer threshold (so every pruned layer reaches the sparsity; a model's output layer is kept
/// dense, as the pipeline keeps it) and served sparse, and timed against its dense fp32 twin — the same network
/// before pruning — timed just before it in the same run. A row's speedup is the twin's time ÷ its own.
/// </summary>
internal static class SparseBench
{
    /// <summary>The sparsities of the rows.</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.5, 0.8, 0.9, 0.95];

    /// <summary>The batch sizes of the rows: serving latency (1) and throughput (256).</summary>
    public static IReadOnlyList<int> Batches => BenchCases.InferenceBatches;

    /// <summary>The dense twin's row and one sparse row per sparsity, for every subject and batch.</summary>
    public static IEnumerable<BenchResult> Run(IEnumerable<SparseSubject> subjects, int threads, BenchBudget budget, PeakFlops peak)
    {
        CpuKernels.Threads = threads;
        foreach (SparseSubject subject in subjects)
        {
            MlpSpec spec = MlpSpec.Parse(subject.Model);
            foreach (int batch in Batches)
            {
                Tensor inputs = Inputs(batch, spec.InputSize);
                var dense = new Mlp(spec, new Rng(1));
                double denseSeconds = MedianTimer.Inference(dense, inputs, budget);
                yield return Row($"{subject.Id}_dense_b{batch}", $"{subject.Model} b{batch} dense", "infer", subject.Model, batch,
                    dense, 0, denseSeconds, 1, threads, peak);
                foreach (double sparsity in Sparsities)
                {
                    var pruned = new Mlp(spec, new Rng(1));
                    MagnitudePruner.Prune(pruned, sparsity, new PruningOptions(Scope: ThresholdScope.PerLayer));
                    Mlp served = SparseServing.Convert(pruned, ServingLayout.Sparse);
                    double seconds = MedianTimer.Inference(served, inputs, budget);
                    int percent = (int)Math.Round(sparsity * 100);
                    yield return Row($"{subject.Id}_sparse{percent}_b{batch}", $"{subject.Model} b{batch} {percent}% sparse", "sparse", subject.Model, batch,
                        served, PruningStage.PrunedLayerSparsity(served), seconds, denseSeconds / seconds, threads, peak);
                }
            }
        }
    }

    /// <summary>The crossover of each distinct layer shape of <paramref name="subjects"/> at both batch sizes.</summary>
    public static IReadOnlyList<BenchCrossover> Crossovers(IEnumerable<SparseSubject> subjects, int threads)
    {
        CpuKernels.Threads = threads;
        var shapes = subjects.Select(s => MlpSpec.Parse(s.Model)).Where(s => s.Sizes.Length == 2)
            .Select(s => (In: s.Sizes[0], Out: s.Sizes[1])).Distinct();
        return [.. from shape in shapes
                   from batch in Batches
                   select new BenchCrossover(shape.In, shape.Out, batch, SparseServing.Crossover(shape.In, shape.Out, batch).Crossover)];
    }

    /// <summary>
    /// A row for a served model and its timing; FLOPs count the weights it stores (2 per stored weight per row). An
    /// int8 model gets no share of the FP32 FMA peak (its products are integer multiply-adds).
    /// </summary>
    public static BenchResult Row(string id, string what, string kind, string model, int batch, Mlp served, double sparsity,
        double seconds, double? speedup, int threads, PeakFlops peak)
    {
        double flops = 2.0 * batch * StoredWeights(served);
        double peakGflops = threads == 1 ? peak.SingleCoreGflops : peak.AllCoresGflops;
        return new BenchResult
        {
            Id = id,
            What = what,
            Kind = kind,
            Threads = threads,
            Seconds = seconds,
            Flops = flops,
            PercentOfPeak = peakGflops > 0 && !IsInt8(served) ? 100 * flops / seconds / 1e9 / peakGflops : null,
            Model = model,
            Batch = batch,
            SamplesPerSecond = batch / seconds,
            Sparsity = sparsity,
            Speedup = speedup,
        };
    }

    /// <summary>Seeded inputs uniform in [0, 1], [batch, width].</summary>
    public static Tensor Inputs(int batch, int width)
    {
        Tensor t = Tensor.Zeros(batch, width);
        new Rng(2).FillUniform(t.Span, 0f, 1f);
        return t;
    }

    private static bool IsInt8(Mlp model) => model.AffineLayers.Any(l => l is QuantizedLinear or SparseQuantizedLinear or QuantizedChain);

    private static long StoredWeights(Mlp model) =>
        model.AffineLayers.Sum(layer => layer switch
        {
            SparseLinear s => s.Weight.NonZeros,
            SparseQuantizedLinear q => q.Weight.NonZeros,
            QuantizedChain c => c.Layers.Sum(l => (long)l.InFeatures * l.OutFeatures),
            IAffineLayer a => (long)a.InFeatures * a.OutFeatures,
            _ => 0L,
        });
}
