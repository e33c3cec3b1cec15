using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// The data each model of a scenario sees, for one seed. The validation split is always labelled, never trained on and
/// stratified (each class keeps its share, as in <c>train</c> and <c>distill</c>); in the few-labels scenario it comes
/// out of the labelled samples, as it would for a user who has only those, which are drawn at random.
/// Training rows without a label (<see cref="Dataset.Unlabelled"/>) and the rows of an unlabelled file join the
/// distilled student's transfer set only, in both scenarios.
/// </summary>
/// <param name="Labelled">What the teacher and the student alone train on.</param>
/// <param name="Validation">What picks epochs and T/α.</param>
/// <param name="Transfer">What the distilled student trains on: the labelled rows plus, in the few-labels scenario,
/// every other labelled training row without its label, plus any unlabelled row.</param>
public sealed record ScenarioData(Dataset Labelled, Dataset Validation, Dataset Transfer)
{
    /// <summary>The rows of the training set each split holds, for the splits file (empty when not built by <see cref="Create"/>).</summary>
    public ScenarioRows Rows { get; init; } = new([], [], []);

    /// <summary>
    /// Splits <paramref name="train"/> for <paramref name="scenario"/> and <paramref name="seed"/>; the rows of
    /// <paramref name="unlabelled"/> (labels ignored), when given, end the transfer set.
    /// </summary>
    /// <exception cref="ArgumentException">The training set is too small for the requested split, or the unlabelled rows do not fit it.</exception>
    public static ScenarioData Create(Scenario scenario, Dataset train, ulong seed, double validationFraction, int labelled, Dataset? unlabelled = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        int[] labelledPool = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] != Dataset.Unlabelled).ToArray();
        int[] unlabelledRows = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == Dataset.Unlabelled).ToArray();
        if (scenario == Scenario.AllLabels)
        {
            var (rest, heldOut) = Dataset.StratifiedSplitRows(labelledPool.Select(r => train.Labels[r]).ToArray(), train.Classes, validationFraction, seed);
            int[] restRows = rest.Select(p => labelledPool[p]).ToArray(), validationRows = heldOut.Select(p => labelledPool[p]).ToArray();
            return Build(train, unlabelled, restRows, validationRows, Sorted([.. restRows, .. unlabelledRows]));
        }
        if (labelled >= labelledPool.Length)
            throw new ArgumentException($"--labelled {labelled} leaves no unlabelled sample in the {labelledPool.Length} training samples with a label.", nameof(labelled));
        int[] order = (int[])labelledPool.Clone();
        new Rng(Rng.Hash(seed, 0x4645574C, 0)).Shuffle<int>(order);
        int[] drawn = Sorted(order.AsSpan(0, labelled));
        var (kept, heldBack) = Dataset.StratifiedSplitRows(drawn.Select(r => train.Labels[r]).ToArray(), train.Classes, validationFraction, seed);
        int[] fewRows = kept.Select(p => drawn[p]).ToArray(), heldBackRows = heldBack.Select(p => drawn[p]).ToArray();
        var inValidation = new HashSet<int>(heldBackRows);
        return Build(train, unlabelled, fewRows, heldBackRows,
            Sorted([.. labelledPool.Where(r => !inValidation.Contains(r)), .. unlabelledRows]));
    }

    // The transfer set holds the training rows transferRows (the labels of labelledRows only), then every unlabelled
    // row; with neither other rows nor unlabelled ones it is the labelled set itself.
    private static ScenarioData Build(Dataset train, Dataset? unlabelled, int[] labelledRows, int[] validationRows, int[] transferRows)
    {
        Dataset labelledSet = train.Subset(labelledRows, $"{train.Name}/labelled");
        Dataset validation = train.Subset(validationRows, $"{train.Name}/validation");
        int[] extraRows = Enumerable.Range(train.Count, unlabelled?.Count ?? 0).ToArray();
        var rows = new ScenarioRows(labelledRows, validationRows, [.. transferRows, .. extraRows]);
        if (transferRows.Length == labelledRows.Length && unlabelled is null)
            return new ScenarioData(labelledSet, validation, labelledSet) { Rows = rows };
        var keep = new List<int>(labelledRows.Length);
        for (int i = 0, j = 0; i < transferRows.Length && j < labelledRows.Length; i++)
            if (transferRows[i] == labelledRows[j]) { keep.Add(i); j++; }
        string name = $"{train.Name}/transfer ({labelledRows.Length} labelled)";
        Dataset transfer = train.Subset(transferRows).WithLabelsOnly(keep.ToArray(), name);
        if (unlabelled is not null) transfer = transfer.Append(unlabelled.WithLabelsOnly([], unlabelled.Name), name);
        return new ScenarioData(labelledSet, validation, transfer) { Rows = rows };
    }

    private static int[] Sorted(ReadOnlySpan<int> rows)
    {
        int[] copy = rows.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
