using TinyKd.Tensors;

namespace TinyKd.Autograd;

public static partial class Losses
{
    /// <summary>
    /// KL(softmax(teacher/T) ‖ softmax(student/T)) with PyTorch's <c>batchmean</c> reduction, i.e.
    /// <c>F.kl_div(F.log_softmax(s/T), F.softmax(t/T), reduction='batchmean')</c>. Hinton's soft-target term is this
    /// times T² (the distillation loss adds that factor). Gradients flow to both logits when they require one;
    /// a frozen teacher simply does not. With <paramref name="weight"/> the loss is weight·KL, computed in the same kernel
    /// (what <c>Ops.Scale(KlDivergence(s, t, T), weight)</c> gives, without its two extra passes, forward and backward).
    /// student, teacher: [B, C].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T is not finite and positive, or the weight is not finite.</exception>
    public static Variable KlDivergence(Variable studentLogits, Variable teacherLogits, float temperature = 1f, float weight = 1f)
    {
        Graph g = Graph.Of(nameof(KlDivergence), studentLogits, teacherLogits);
        ComputeChecks.Temperature(temperature);
        CheckWeight(weight);
        if (studentLogits.Shape.Rank != 2 || studentLogits.Shape != teacherLogits.Shape)
            throw new ArgumentException($"KlDivergence: student {studentLogits.Shape} and teacher {teacherLogits.Shape} logits must both be [B, C].", nameof(teacherLogits));
        bool records = Graph.Records(studentLogits, teacherLogits);
        // One fused kernel: the loss and its gradients for a unit dloss, which backward only scales.
        Tensor dStudent = g.Scratch(studentLogits.Shape);
        Tensor dTeacher = records && teacherLogits.RequiresGrad ? g.Scratch(teacherLogits.Shape) : default;
        Variable loss = g.Result(new Shape(), records);
        g.Backend.KlDivergenceWithGradient(loss.Data, dStudent, dTeacher, studentLogits.Data, teacherLogits.Data, temperature, weight);
        if (records)
            g.Record(new TapeEntry(KlDivergenceBackward, loss, studentLogits, teacherLogits) { Saved = dStudent, Saved2 = dTeacher, P0 = weight });
        return loss;
    }

    // Saved = ∂KL/∂student, Saved2 = ∂KL/∂teacher (empty when the teacher is frozen), both for dloss = 1 and weight 1;
    // P0 = the weight w: dstudent += (w·dloss)·(ps − pt)/(T·B);  dteacher += (w·dloss)·pt·((log pt − log ps) − KL_row)/(T·B)
    // (= where nothing of this pass is in the gradient yet).
    private static void KlDivergenceBackward(in TapeEntry e, Graph g)
    {
        if (e.A!.RequiresGrad) ScaledAddTo(g, e.A, e.Saved, e.Output.Grad, e.P0);
        if (e.B!.RequiresGrad && !e.Saved2.IsEmpty) ScaledAddTo(g, e.B, e.Saved2, e.Output.Grad, e.P0);
    }
}
