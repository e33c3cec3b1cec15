using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// The pipeline's <b>pruned</b> stage for one seed: a copy of that seed's distilled student is pruned gradually to a
/// target sparsity (8×1 blocks by magnitude, one global threshold, the output layer kept dense; the cubic schedule of
/// Zhu &amp; Gupta with one epoch of fine-tuning per pruning step and the rest of the budget as recovery), fine-tuned
/// with the same distillation objective against the same teacher on the same transfer set, then converted to its
/// served form, where each pruned layer runs sparse or dense by the crossover measured on this machine.
/// </summary>
public static class PruningStage
{
    /// <summary>The schedule of a fine-tuning budget of <paramref name="epochs"/>: ⌊E/2⌋ pruning steps (at least one)
    /// of one epoch each, the remaining epochs as recovery; 0 epochs is one-shot pruning without fine-tuning.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative budget or a sparsity outside [0, 1).</exception>
    public static PruningSchedule Schedule(double sparsity, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        int steps = Math.Max(1, epochs / 2), perStep = epochs > 0 ? 1 : 0;
        var schedule = new PruningSchedule(sparsity, steps, perStep, epochs - steps * perStep);
        schedule.Validate();
        return schedule;
    }

    /// <summary>
    /// Prunes and fine-tunes a copy of <paramref name="distilled"/> (left unchanged) and returns the served model and
    /// the sparsity the masks reached.
    /// </summary>
    /// <param name="distilled">The dense distilled student.</param>
    /// <param name="teacher">Its teacher, distilled from again during fine-tuning (<see cref="TeacherOf"/>).</param>
    /// <param name="data">The seed's transfer set (fine-tuning) and validation split (best epoch of each stage).</param>
    /// <param name="distillation">The distillation recipe the student was trained with (T, α).</param>
    /// <param name="training">The student's training recipe; epochs and seeds are set per pruning step.</param>
    /// <param name="sparsity">The target sparsity of the pruned layers.</param>
    /// <param name="epochs">The fine-tuning budget in epochs over the transfer set.</param>
    /// <param name="layout">The served form of the pruned layers (see <see cref="SparseServing.Convert"/>).</param>
    public static (Mlp Served, double Sparsity) Run(Mlp distilled, Teacher teacher, ScenarioData data, DistillationOptions distillation,
        TrainingOptions training, double sparsity, int epochs, ServingLayout layout = ServingLayout.Measured)
    {
        ArgumentNullException.ThrowIfNull(distilled);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(data);
        var student = new Mlp(distilled.Spec, new Rng(0));
        student.LoadStateDict(distilled.StateDict());
        PruningMask mask = GradualPruner.Run(student, new PruningOptions(), Schedule(sparsity, epochs), training, data.Transfer, data.Validation,
            [teacher], distillation);
        return (SparseServing.Convert(student, layout), mask.Sparsity);
    }

    /// <summary>
    /// The teacher of a seed's pruning runs: its logits over the transfer set computed once (every pruning step of
    /// every sparsity reuses them), or the network itself when augmentation shifts the images it must score.
    /// </summary>
    public static Teacher TeacherOf(Mlp teacher, Dataset transfer, bool augment)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(transfer);
        if (augment) return Teacher.FromModel(teacher);
        int classes = teacher.Spec.OutputSize;
        return Teacher.FromLogits(Evaluation.PredictLogits(teacher, transfer.Features, classes), transfer.Count, classes, "teacher");
    }

    /// <summary>
    /// The fraction of zero weights in the layers the pruner prunes (every affine layer but the output layer; the
    /// only layer of a one-layer model), read from dense, sparse and int8 layers alike (int8: the weights quantized to
    /// exactly 0; a fused int8 chain counts as its layers): 0 for a dense trained model.
    /// </summary>
    /// <exception cref="ArgumentException">The model holds a layer kind this does not read.</exception>
    public static double PrunedLayerSparsity(Mlp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        List<Layer> layers = [.. model.AffineLayers.SelectMany(l => l is QuantizedChain chain ? chain.Layers : (IEnumerable<Layer>)[l])];
        double zeros = 0, total = 0;
        foreach (Layer layer in layers.Take(layers.Count == 1 ? 1 : layers.Count - 1))
        {
            (double layerZeros, double size) = layer switch
            {
                Linear linear => (SparseServing.Sparsity(linear.Weight.Data.Span) * linear.Weight.Data.Length, (double)linear.Weight.Data.Length),
                SparseLinear sparse => (sparse.Weight.Sparsity * ((double)sparse.Weight.Rows * sparse.Weight.Columns), (double)sparse.Weight.Rows * sparse.Weight.Columns),
                SparseQuantizedLinear sparse => (sparse.Weight.Sparsity * ((double)sparse.Weight.Rows * sparse.Weight.Columns), (double)sparse.Weight.Rows * sparse.Weight.Columns),
                QuantizedLinear quantized => (Zeros(quantized.Weight), (double)quantized.OutFeatures * quantized.InFeatures),
                _ => throw new ArgumentException($"MLP {model.Spec} holds a {layer.GetType().Name}; its sparsity is not read here.", nameof(model)),
            };
            zeros += layerZeros;
            total += size;
        }
        return total == 0 ? 0 : zeros / total;
    }

    // The int8 weights that are exactly 0 (pruned, or rounded to 0).
    private static double Zeros(Int8LinearWeight weight)
    {
        long zeros = 0;
        for (int o = 0; o < weight.OutFeatures; o++)
            for (int i = 0; i < weight.InFeatures; i++)
                if (weight[o, i] == 0) zeros++;
        return zeros;
    }
}
