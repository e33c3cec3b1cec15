using System.Globalization;
using TinyKd.Distill.Data;
using TinyKd.Distill.Metrics;
using TinyKd.Distill.Training;

namespace TinyKd.Cli;

/// <summary>Plain-text tables of evaluation results.</summary>
public static class Report
{
    /// <summary>
    /// Writes the headline metrics, the F1 averages and Brier score, the positive class's scores (for a binary task,
    /// or when <paramref name="positiveClass"/> names one of more classes) and the per-class table.
    /// </summary>
    /// <param name="output">Where to write.</param>
    /// <param name="split">The name of the scored split, e.g. "test".</param>
    /// <param name="e">The evaluation.</param>
    /// <param name="positiveClass">The class --positive-class chose, or null: then a binary task takes its second class and says so.</param>
    public static void Metrics(TextWriter output, string split, Evaluation e, int? positiveClass = null)
    {
        // An AUC needs positives and negatives: a test set of one class has none.
        bool severalClasses = e.Scores.Support.Count(s => s > 0) > 1;
        output.WriteLine(Invariant(
            $"{split}: accuracy {e.Accuracy * 100:F2}%  macro-F1 {e.MacroF1:F4}  ECE {e.Ece:F4}  ROC-AUC (one-vs-rest) {Area(severalClasses ? e.RocAuc : double.NaN)}"));
        output.WriteLine(Invariant(
            $"  log-loss {e.LogLoss:F4}  balanced accuracy {e.BalancedAccuracy * 100:F2}%  MCC {e.Mcc:F4}  Brier {e.Brier:F4}{(e.Data.Classes == 2 ? " (positive class)" : " (sum over classes)")}"));
        output.WriteLine(Invariant($"  F1 macro {e.Scores.MacroF1:F4}  micro {e.Scores.MicroF1:F4}  weighted {e.Scores.WeightedF1:F4}"));
        IReadOnlyList<string> names = ClassNames(e.Data);
        if (positiveClass is not null || e.Data.Classes == 2)
        {
            BinaryEvaluation b = e.ForPositiveClass(positiveClass ?? 1);
            string how = positiveClass is not null ? "" : " (the second class in sorted order; choose with --positive-class)";
            string against = e.Data.Classes == 2 ? "" : " against the rest";
            output.WriteLine(Invariant(
                $"  positive class '{names[b.PositiveClass]}'{against}{how}: ROC-AUC {Area(b.RocAuc)}  PR-AUC (average precision) {Area(b.AveragePrecision)}  precision {b.Scores.Precision:F4}  recall {b.Scores.Recall:F4}  F1 {b.Scores.F1:F4}"));
        }
        output.WriteLine("  class                  precision  recall     F1  support");
        for (int c = 0; c < e.Scores.Classes; c++)
        {
            output.WriteLine(Invariant(
                $"  {c,2} {names[c],-18} {e.Scores.Precision[c],9:F3} {e.Scores.Recall[c],7:F3} {e.Scores.F1[c],6:F3} {e.Scores.Support[c],8}"));
        }
    }

    /// <summary>The names of <paramref name="data"/>'s classes: its own, or the indices "0", "1", … when it has none.</summary>
    public static IReadOnlyList<string> ClassNames(Dataset data) =>
        data.ClassNames is { } names && names.Count == data.Classes
            ? names
            : Enumerable.Range(0, data.Classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static string Area(double area) => double.IsNaN(area) ? "undefined (the test set lacks a class)" : Invariant($"{area:F4}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
