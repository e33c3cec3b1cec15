using TinyKd.Autograd.Nn;
using TinyKd.Distill.Quantization;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Bench;

/// <summary>
/// The int8 rows of <c>tinykd bench</c>: each subject (a layer or a whole MLP, seeded random weights) is quantized
/// after training's fashion — every layer's weights to 7 bits per output row, activations dynamically per call
/// (<see cref="PostTrainingQuantizer"/>) — and timed against its fp32 twin, the same network timed just before it in
/// the same run. A row's speedup is the fp32 time ÷ the int8 time.
/// </summary>
internal static class Int8Bench
{
    /// <summary>The fp32 row and the int8 row of every subject at batch 1 and 256.</summary>
    public static IEnumerable<BenchResult> Run(IEnumerable<SparseSubject> subjects, int threads, BenchBudget budget, PeakFlops peak)
    {
        CpuKernels.Threads = threads;
        foreach (SparseSubject subject in subjects)
        {
            MlpSpec spec = MlpSpec.Parse(subject.Model);
            var fp32 = new Mlp(spec, new Rng(1));
            Mlp int8 = PostTrainingQuantizer.Quantize(fp32, new QuantizationOptions());
            foreach (int batch in SparseBench.Batches)
            {
                Tensor inputs = SparseBench.Inputs(batch, spec.InputSize);
                double fp32Seconds = MedianTimer.Inference(fp32, inputs, budget);
                double int8Seconds = MedianTimer.Inference(int8, inputs, budget);
                yield return SparseBench.Row($"{subject.Id}_fp32_b{batch}", $"{subject.Model} b{batch} fp32", "infer", subject.Model, batch,
                    fp32, 0, fp32Seconds, 1, threads, peak);
                yield return SparseBench.Row($"{subject.Id}_int8_b{batch}", $"{subject.Model} b{batch} int8", "int8", subject.Model, batch,
                    int8, 0, int8Seconds, fp32Seconds / int8Seconds, threads, peak);
            }
        }
    }
}
