using System.Globalization;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// What the student is taught, beyond the training recipe: the soft-target loss (temperature and α, each constant
/// or scheduled), logit matching and the FitNets hint, each weighted and usable alone or together.
/// </summary>
public sealed record DistillationOptions
{
    /// <summary>The temperatures a T/α search tries (Hinton et al.'s range for MNIST-sized problems).</summary>
    public static IReadOnlyList<float> SearchTemperatures { get; } = [1f, 2f, 4f, 8f];

    /// <summary>The soft-target weights α a T/α search tries.</summary>
    public static IReadOnlyList<float> SearchAlphas { get; } = [0.1f, 0.5f, 0.9f];

    /// <summary>The temperature T of the soft targets (> 0 throughout the schedule).</summary>
    public ParameterSchedule Temperature { get; init; } = ParameterSchedule.Constant(4f);

    /// <summary>α, the weight of the soft-target term against the hard-label cross-entropy (in [0, 1] throughout).</summary>
    public ParameterSchedule Alpha { get; init; } = ParameterSchedule.Constant(0.9f);

    /// <summary>Weight of the logit-matching term, MSE(student logits, teacher logits) (0 = off).</summary>
    public float LogitMatchingWeight { get; init; }

    /// <summary>Weight of the hint term (0 = off; needs <see cref="HintLayers"/>).</summary>
    public float HintWeight { get; init; }

    /// <summary>The (teacher, student) hidden layers the hint pairs, 1-based, or null.</summary>
    public (int Teacher, int Student)? HintLayers { get; init; }

    /// <summary>Throws with the option named when a value is out of range.</summary>
    public void Validate()
    {
        var (tMin, tMax) = Temperature.Range;
        if (!(tMin > 0f) || !float.IsFinite(tMax))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"The temperature must be finite and > 0 throughout; got {Temperature}.");
        var (aMin, aMax) = Alpha.Range;
        if (!(aMin >= 0f && aMax <= 1f))
            throw new ArgumentOutOfRangeException(nameof(Alpha), $"α must stay in [0, 1]; got {Alpha}.");
        if (!(LogitMatchingWeight >= 0f) || !float.IsFinite(LogitMatchingWeight))
            throw new ArgumentOutOfRangeException(nameof(LogitMatchingWeight), $"The logit-matching weight must be finite and ≥ 0; got {LogitMatchingWeight}.");
        if (!(HintWeight >= 0f) || !float.IsFinite(HintWeight))
            throw new ArgumentOutOfRangeException(nameof(HintWeight), $"The hint weight must be finite and ≥ 0; got {HintWeight}.");
        if (HintWeight > 0f && HintLayers is null)
            throw new ArgumentException("A hint weight needs the hidden layers to pair (teacher:student).", nameof(HintLayers));
    }

    /// <summary>"T 4, α 0.9" plus the other terms when they are on.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"T {Temperature}, α {Alpha}{(LogitMatchingWeight > 0 ? $", logits ×{LogitMatchingWeight}" : "")}" +
        $"{(HintWeight > 0 && HintLayers is { } h ? $", hint {h.Teacher}:{h.Student} ×{HintWeight}" : "")}");
}
