using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Distillation;
using TinyKd.Tensors;

namespace TinyKd.Cli.Bench;

/// <summary>One product of a Linear layer's step, C = op(A)·op(B) with C M×N and shared dimension K.</summary>
/// <param name="Name">"forward", "dx" or "dw".</param>
/// <param name="Description">"forward x·Wᵀ", "dX = dY·W" or "dW = dYᵀ·X".</param>
/// <param name="Form">The product in the notation of its use: "x*W^T" (forward), "dY*W" (input gradient), "dY^T*X" (weight gradient).</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The shared dimension.</param>
/// <param name="TransposeA">A is stored K×M and read transposed.</param>
/// <param name="TransposeB">B is stored N×K and read transposed.</param>
internal sealed record LayerProduct(string Name, string Description, string Form, int M, int N, int K, Transpose TransposeA, Transpose TransposeB);

/// <summary>
/// The workloads both benchmark harnesses time, defined once: <c>tinykd bench</c> (src/Cli/Bench) and the
/// BenchmarkDotNet suites of bench/, which compile this folder (src/Cli/Bench/Shared/) as linked source files. The
/// models are the MLPs of the distillation experiment, the batch sizes those of training and serving, the
/// distillation loss that of <c>tinykd distill</c>'s defaults; the data is seeded so every run times the same numbers.
/// </summary>
internal static class BenchCases
{
    /// <summary>The teacher MLP (Hinton et al.'s 784-1200-1200-10).</summary>
    public const string Teacher = "784-1200-1200-10";

    /// <summary>The student MLP.</summary>
    public const string Student = "784-128-10";

    /// <summary>The batch of a training or distillation step.</summary>
    public const int TrainBatch = 128;

    /// <summary>Distillation temperature T.</summary>
    public const float Temperature = 4f;

    /// <summary>Weight α of the soft-target term.</summary>
    public const float Alpha = 0.9f;

    /// <summary>The serving batches: one sample (latency) and 256 (throughput).</summary>
    public static IReadOnlyList<int> InferenceBatches { get; } = [1, 256];

    /// <summary>The teacher's layers (In → Out), input to output.</summary>
    public static IReadOnlyList<(int In, int Out)> TeacherLayers { get; } = [(784, 1200), (1200, 1200), (1200, 10)];

    /// <summary>
    /// The three products of a Linear layer In → Out at batch B (B = batch, In = input features, Out = output
    /// features): forward y = x·Wᵀ (M = B, N = Out, K = In), dX = dY·W (M = B, N = In, K = Out) and
    /// dW = dYᵀ·X (M = Out, N = In, K = B).
    /// </summary>
    public static IEnumerable<LayerProduct> Products(int inputs, int outputs, int batch) =>
    [
        new("forward", "forward x·Wᵀ", "x*W^T", batch, outputs, inputs, Transpose.No, Transpose.Yes),
        new("dx", "dX = dY·W", "dY*W", batch, inputs, outputs, Transpose.No, Transpose.No),
        new("dw", "dW = dYᵀ·X", "dY^T*X", outputs, inputs, batch, Transpose.Yes, Transpose.No),
    ];

    /// <summary>
    /// The seeded data of a training or distillation step on <paramref name="spec"/>: inputs uniform in [0, 1),
    /// labels uniform over the classes, teacher logits uniform in [−5, 5), all from seed 2.
    /// </summary>
    public static (Tensor Inputs, int[] Labels, Tensor TeacherLogits) StepData(MlpSpec spec, int batch)
    {
        var rng = new Rng(2);
        Tensor inputs = BenchData.Uniform(rng, 0f, 1f, batch, spec.InputSize);
        int[] labels = BenchData.Labels(rng, batch, spec.OutputSize);
        return (inputs, labels, BenchData.Uniform(rng, -5f, 5f, batch, spec.OutputSize));
    }

    /// <summary>The distillation objective α·T²·KL(teacher ‖ student, T) + (1 − α)·CE, on logits [B, classes].</summary>
    public static Variable DistillationLoss(Variable logits, Variable teacherLogits, int[] labels) =>
        DistillationLoss(logits, teacherLogits, IntTensor.FromArray(labels));

    /// <summary>The same objective with the labels already on the logits' backend (a device bench uploads them once):
    /// the distillation trainer's own <see cref="SoftTargetLoss"/> at T and α.</summary>
    public static Variable DistillationLoss(Variable logits, Variable teacherLogits, IntTensor labels) =>
        SoftTargetLoss.Compute(logits, teacherLogits, labels, Temperature, Alpha);
}
