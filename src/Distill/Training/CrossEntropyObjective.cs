using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;

namespace TinyKd.Distill.Training;

/// <summary>Plain supervised training: cross-entropy between the model's logits and the labels (with smoothing).</summary>
/// <param name="labelSmoothing">Label smoothing ε in [0, 1).</param>
public sealed class CrossEntropyObjective(float labelSmoothing = 0f) : ITrainingObjective
{
    /// <inheritdoc />
    public IEnumerable<(string Name, Variable Parameter)> NamedParameters() => [];

    /// <inheritdoc />
    public void Prepare(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.LabelledCount == 0)
            throw new ArgumentException($"Dataset '{train.Name}' has no labelled rows to train on with cross-entropy.", nameof(train));
    }

    /// <inheritdoc />
    public Variable Loss(Graph graph, Layer model, in Batch batch, in StepContext context, out Variable logits)
    {
        logits = model.Forward(graph.Input(batch.Features));
        return Losses.CrossEntropy(logits, batch.LabelsOn(graph), labelSmoothing, ignoreUnlabelled: true);
    }
}
