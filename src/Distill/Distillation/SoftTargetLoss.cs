using TinyKd.Tensors;
using TinyKd.Autograd;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// Hinton et al.'s distillation loss (2015):
/// <code>
/// L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)
/// </code>
/// with the KL averaged over the batch (PyTorch's <c>kl_div(log_softmax(s/T), softmax(t/T), 'batchmean')</c>) and the
/// cross-entropy over the labelled rows only. T² keeps the soft term's gradient, which scales as 1/T², comparable
/// to the hard term's as T changes (docs/distillation.md derives it). A row labelled −1 (a transfer-set sample
/// without a label) is taught by the soft targets alone; a batch with no label at all has only the soft term.
/// </summary>
public static class SoftTargetLoss
{
    /// <summary>The loss for student logits s and (frozen) teacher logits t, both [B, C], and B labels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">T is not finite and positive, or α is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">The shapes differ or a label is out of range.</exception>
    public static Variable Compute(Variable studentLogits, Variable teacherLogits, ReadOnlyMemory<int> labels, float temperature, float alpha)
    {
        Variable soft = Soft(studentLogits, teacherLogits, temperature, alpha);
        return alpha == 1f ? soft : Mix(soft, Losses.CrossEntropy(studentLogits, labels, ignoreUnlabelled: true, weight: 1f - alpha), alpha);
    }

    /// <summary>
    /// <see cref="Compute(Variable, Variable, ReadOnlyMemory{int}, float, float)"/> with the labels already on the
    /// logits' backend (uploaded with the batch).
    /// </summary>
    public static Variable Compute(Variable studentLogits, Variable teacherLogits, IntTensor labels, float temperature, float alpha)
    {
        Variable soft = Soft(studentLogits, teacherLogits, temperature, alpha);
        return alpha == 1f ? soft : Mix(soft, Losses.CrossEntropy(studentLogits, labels, ignoreUnlabelled: true, weight: 1f - alpha), alpha);
    }

    // α·T²·KL(teacher ‖ student), the weight applied in the KL kernel (no scaling pass of its own).
    private static Variable Soft(Variable studentLogits, Variable teacherLogits, float temperature, float alpha)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits);
        CheckAlpha(alpha);
        return Losses.KlDivergence(studentLogits, teacherLogits, temperature, weight: alpha * temperature * temperature);
    }

    // soft + hard, hard being (1 − α)·CE with the weight applied in the cross-entropy's kernels; the hard term alone when α = 0.
    private static Variable Mix(Variable soft, Variable hard, float alpha) => alpha == 0f ? hard : soft + hard;

    /// <summary>Throws unless α is in [0, 1].</summary>
    public static void CheckAlpha(float alpha)
    {
        if (!(alpha >= 0f && alpha <= 1f))
            throw new ArgumentOutOfRangeException(nameof(alpha), $"The soft-target weight α must be in [0, 1]; got {alpha}.");
    }
}
