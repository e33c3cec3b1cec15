using System.Globalization;
using TinyKd.Autograd;

namespace TinyKd.Distill.Training;

/// <summary>
/// Whether a finished run diverged. A loss that turns NaN or infinite is caught at the step by the trainers; a run can
/// also diverge with finite numbers (Adam at a learning rate of 10⁶ ends with losses of 10¹² and a model at chance),
/// which the end of the run reveals: a weight that is not finite, or a last epoch whose mean loss is above the first
/// epoch's or above the untrained model's (the loss of the run's very first step).
/// </summary>
public static class DivergenceCheck
{
    /// <summary>Why the run counts as diverged, or null when it does not.</summary>
    /// <param name="epochLosses">The mean training loss of each epoch, in order.</param>
    /// <param name="firstStepLoss">The loss of the run's first step (the untrained model's), or NaN when unknown (a resumed run).</param>
    /// <param name="lossesComparable">
    /// False when a schedule changes what the loss measures during the run (a temperature or α schedule): the losses
    /// are then not compared, and only non-finite weights count.
    /// </param>
    /// <param name="parameters">The trained parameters, by name.</param>
    public static string? Reason(IReadOnlyList<double> epochLosses, double firstStepLoss, bool lossesComparable,
        IEnumerable<(string Name, Variable Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(epochLosses);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, parameter) in parameters)
        {
            float[] values = parameter.Data.ToArray();
            int bad = Array.FindIndex(values, v => !float.IsFinite(v));
            if (bad >= 0) return Invariant($"parameter '{name}' holds {values[bad]} at element {bad}");
        }
        if (!lossesComparable || epochLosses.Count == 0) return null;
        double last = epochLosses[^1];
        if (epochLosses.Count > 1 && last > epochLosses[0])
            return Invariant($"the last epoch's mean loss {last:G4} is above the first epoch's {epochLosses[0]:G4}");
        if (last > firstStepLoss)
            return Invariant($"the last epoch's mean loss {last:G4} is above the untrained model's {firstStepLoss:G4} (the first step's loss)");
        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
