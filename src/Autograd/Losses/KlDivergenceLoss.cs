using TinyKd.Tensors;

namespace TinyKd.Autograd;

public static partial class Losses
{
    /// <summary>
    /// KL(softmax(teacher/T) ‖ softmax(student/T)) with PyTorch's <c>batchmean</c> reduction, i.e.
    /// <c>F.kl_div(F.log_softmax(s/T), F.softmax(t/T), reduction='batchmean')</c>. Hinton's soft-target term is this
    /// times T² (the distillation loss adds that factor). Gradients flow to both logits when they require one;
    /// a frozen teacher simply does not.
    /// student, teacher: [B, C].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T is not finite and positive.</exception>
    public static Variable KlDivergence(Variable studentLogits, Variable teacherLogits, float temperature = 1f)
    {
        Graph g = Graph.Of(nameof(KlDivergence), studentLogits, teacherLogits);
        ComputeChecks.Temperature(temperature);
        if (studentLogits.Shape.Rank != 2 || studentLogits.Shape != teacherLogits.Shape)
            throw new ArgumentException($"KlDivergence: student {studentLogits.Shape} and teacher {teacherLogits.Shape} logits must both be [B, C].", nameof(teacherLogits));
        bool records = Graph.Records(studentLogits, teacherLogits);
        Tensor logPs = g.Scratch(studentLogits.Shape);
        Tensor logPt = g.Scratch(teacherLogits.Shape);
        g.Backend.Softmax(logPs, studentLogits.Data, temperature, log: true);
        g.Backend.Softmax(logPt, teacherLogits.Data, temperature, log: true);
        Variable loss = g.Result(new Shape(), records);
        g.Backend.KlDivergence(loss.Data, logPs, logPt);
        if (records)
            g.Record(new TapeEntry(KlDivergenceBackward, loss, studentLogits, teacherLogits) { Saved = logPs, Saved2 = logPt, P0 = temperature });
        return loss;
    }

    // Saved = log ps, Saved2 = log pt, P0 = T.
    // dstudent += dloss·(ps − pt)/(T·B);  dteacher += dloss·pt·((log pt − log ps) − KL_row)/(T·B).
    private static void KlDivergenceBackward(in TapeEntry e, Graph g)
    {
        Tensor ds = e.A!.RequiresGrad ? g.GradOf(e.A) : default;
        Tensor dt = e.B!.RequiresGrad ? g.GradOf(e.B) : default;
        g.Backend.KlDivergenceBackward(ds, dt, e.Saved, e.Saved2, e.P0, e.Output.Grad.Item());
    }
}
