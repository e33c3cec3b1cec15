using System.Globalization;
using TinyKd.Distill.Training;

namespace TinyKd.Cli;

/// <summary>Plain-text tables of evaluation results.</summary>
public static class Report
{
    /// <summary>Writes the headline metrics and the per-class scores.</summary>
    public static void Metrics(TextWriter output, string split, Evaluation e)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{split}: accuracy {e.Accuracy * 100:F2}%  macro-F1 {e.MacroF1:F4}  ECE {e.Ece:F4}  ROC-AUC (one-vs-rest) {e.RocAuc:F4}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  log-loss {e.LogLoss:F4}  balanced accuracy {e.BalancedAccuracy * 100:F2}%  MCC {e.Mcc:F4}"));
        output.WriteLine("  class                  precision  recall     F1  support");
        for (int c = 0; c < e.Scores.Classes; c++)
        {
            string name = e.Data.ClassNames is { } names && c < names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {c,2} {name,-18} {e.Scores.Precision[c],9:F3} {e.Scores.Recall[c],7:F3} {e.Scores.F1[c],6:F3} {e.Scores.Support[c],8}"));
        }
    }
}
