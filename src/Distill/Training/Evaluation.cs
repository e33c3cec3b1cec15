using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Metrics;
using TinyKd.Tensors;

namespace TinyKd.Distill.Training;

/// <summary>How a classifier does on a data set: the headline metrics and what they were computed from.</summary>
public sealed class Evaluation
{
    private Evaluation(Dataset data, float[] probabilities, int[] predictions)
    {
        Data = data;
        Probabilities = probabilities;
        Predictions = predictions;
        Confusion = ConfusionMatrix.Compute(predictions, data.Labels, data.Classes);
        Scores = F1Score.PerClass(Confusion);
        Accuracy = Metrics.Accuracy.Compute(predictions, data.Labels);
        Ece = ExpectedCalibrationError.Compute(probabilities, data.Classes, data.Labels);
    }

    /// <summary>The evaluated data.</summary>
    public Dataset Data { get; }

    /// <summary>Softmax probabilities, [N, C] row-major.</summary>
    public float[] Probabilities { get; }

    /// <summary>Arg-max predictions.</summary>
    public int[] Predictions { get; }

    /// <summary>Confusion matrix, rows = true class.</summary>
    public int[,] Confusion { get; }

    /// <summary>Per-class precision, recall and F1.</summary>
    public ClassScores Scores { get; }

    /// <summary>Fraction of correct predictions.</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted mean of the per-class F1 scores.</summary>
    public double MacroF1 => Scores.MacroF1;

    /// <summary>Expected calibration error (15 bins).</summary>
    public double Ece { get; }

    /// <summary>Mean negative log-probability of the true class (clipped at 1e-15).</summary>
    public double LogLoss => ClassificationScores.LogLoss(Probabilities, Data.Classes, Data.Labels);

    /// <summary>Mean recall over the classes present.</summary>
    public double BalancedAccuracy => ClassificationScores.BalancedAccuracy(Confusion);

    /// <summary>Multi-class Matthews correlation coefficient.</summary>
    public double Mcc => ClassificationScores.MatthewsCorrelation(Confusion);

    /// <summary>Brier score: the positive-class form for two classes, the multi-class sum form otherwise (<see cref="BrierScore.Of"/>).</summary>
    public double Brier => BrierScore.Of(Probabilities, Data.Classes, Data.Labels);

    /// <summary>
    /// The binary view with class <paramref name="positiveClass"/> as positive (the rest negative): its curves, their
    /// areas and its precision, recall and F1.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="positiveClass"/> is outside [0, C).</exception>
    public BinaryEvaluation ForPositiveClass(int positiveClass) =>
        BinaryEvaluation.Of(Probabilities, Data.Classes, Data.Labels, Scores, positiveClass);

    /// <summary>One-vs-rest macro ROC-AUC.</summary>
    public double RocAuc => Metrics.RocAuc.OneVsRestMacro(Probabilities, Data.Classes, Data.Labels);

    /// <summary>
    /// Runs <paramref name="model"/> in evaluation mode without recording gradients over <paramref name="data"/>
    /// in batches, and scores it. The model's own mode is never switched (the forward runs on a graph in
    /// <see cref="Graph.EvaluationMode"/>), so many threads may evaluate one model at once.
    /// </summary>
    /// <exception cref="ArgumentException">The model's output width differs from the data's class count.</exception>
    public static Evaluation Run(Layer model, Dataset data, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        float[] probabilities = Predict(model, data.Features, data.Classes, batchSize);
        return new Evaluation(data, probabilities, Metrics.Predictions.ArgMax(probabilities, data.Classes));
    }

    /// <summary>
    /// Softmax probabilities of <paramref name="model"/> (evaluation mode, no gradients) for every row of
    /// <paramref name="features"/>, [N, C]. Thread-safe: the model is only read.
    /// </summary>
    public static float[] Predict(Layer model, Tensor features, int classes, int batchSize = 512) =>
        Run(model, features, classes, batchSize, softmax: true);

    /// <summary>
    /// The logits of <paramref name="model"/> (evaluation mode, no gradients) for every row of <paramref name="features"/>,
    /// [N, C]. Thread-safe: the model is only read.
    /// </summary>
    public static float[] PredictLogits(Layer model, Tensor features, int classes, int batchSize = 512) =>
        Run(model, features, classes, batchSize, softmax: false);

    // Each call has its own graph in evaluation mode, so the model itself is never switched: concurrent callers each
    // get the evaluation-mode outputs and a model left in training mode stays in it.
    private static float[] Run(Layer model, Tensor features, int classes, int batchSize, bool softmax)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int n = features.Shape[0];
        var probabilities = new float[n * classes];
        using var graph = new Graph(model.Backend, evaluationMode: true);
        using var upload = new FeatureUpload(graph.Backend);
        using var _ = GradMode.NoGrad();
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            graph.Reset();
            Variable logits = model.Forward(graph.Input(upload.Rows(features.Slice(start, count))));
            if (logits.Shape.Rank != 2 || logits.Shape[1] != classes)
                throw new ArgumentException($"The model outputs {logits.Shape} but the data has {classes} classes.", nameof(classes));
            Variable p = softmax ? Ops.Softmax(logits) : logits;
            p.Data.Backend.CopyToHost(p.Data, probabilities.AsSpan(start * classes, count * classes));
        }
        return probabilities;
    }
}
