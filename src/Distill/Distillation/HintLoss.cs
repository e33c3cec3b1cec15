using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// The hint (feature) loss of FitNets (Romero et al., 2015): a student hidden layer, mapped by a learned linear
/// projection to the width of a teacher hidden layer, should match it:
/// <code>
/// L = mean over B×Ht of (W·h_s + b − h_t)²      h_s: [B, Hs], W: [Ht, Hs], h_t: [B, Ht]
/// </code>
/// The projection is trained with the student and thrown away afterwards.
/// </summary>
public sealed class HintLoss : Layer
{
    /// <summary>Creates the projection from <paramref name="studentWidth"/> to <paramref name="teacherWidth"/> features.</summary>
    public HintLoss(int studentWidth, int teacherWidth, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Projection = new Linear(studentWidth, teacherWidth, rng);
    }

    /// <summary>The learned map from the student's hidden features to the teacher's.</summary>
    public Linear Projection { get; }

    /// <summary>The projection of student features [B, Hs] to [B, Ht].</summary>
    public override Variable Forward(Variable input) => Projection.Forward(input);

    /// <summary>The mean squared difference between the projected student features and the teacher's.</summary>
    /// <exception cref="ArgumentException">The widths do not match the projection.</exception>
    public Variable Compute(Variable studentHidden, Variable teacherHidden)
    {
        ArgumentNullException.ThrowIfNull(studentHidden);
        ArgumentNullException.ThrowIfNull(teacherHidden);
        if (studentHidden.Shape.Rank != 2 || studentHidden.Shape[1] != Projection.InFeatures)
            throw new ArgumentException($"HintLoss: student features {studentHidden.Shape} do not have the projection's {Projection.InFeatures} columns.", nameof(studentHidden));
        if (teacherHidden.Shape.Rank != 2 || teacherHidden.Shape[1] != Projection.OutFeatures)
            throw new ArgumentException($"HintLoss: teacher features {teacherHidden.Shape} do not have the projection's {Projection.OutFeatures} columns.", nameof(teacherHidden));
        return Losses.Mse(Forward(studentHidden), teacherHidden);
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Module Child)> Children() => [("projection", Projection)];
}
