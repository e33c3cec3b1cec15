using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Distill.Pipeline;

/// <summary>
/// The data each model of a scenario sees, for one seed. The validation split is always labelled and never trained
/// on; in the few-labels scenario it comes out of the labelled samples, as it would for a user who has only those.
/// </summary>
/// <param name="Labelled">What the teacher and the student alone train on.</param>
/// <param name="Validation">What picks epochs and T/α.</param>
/// <param name="Transfer">What the distilled student trains on: the labelled rows plus, in the few-labels scenario,
/// every other training image without its label.</param>
public sealed record ScenarioData(Dataset Labelled, Dataset Validation, Dataset Transfer)
{
    /// <summary>The rows of the training set each split holds, for the splits file (empty when not built by <see cref="Create"/>).</summary>
    public ScenarioRows Rows { get; init; } = new([], [], []);

    /// <summary>Splits <paramref name="train"/> for <paramref name="scenario"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The training set is too small for the requested split.</exception>
    public static ScenarioData Create(Scenario scenario, Dataset train, ulong seed, double validationFraction, int labelled)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (scenario == Scenario.AllLabels)
        {
            var (restRows, heldOut) = train.SplitRows(validationFraction, seed);
            Dataset rest = train.Subset(restRows, $"{train.Name}/train-split");
            return new ScenarioData(rest, train.Subset(heldOut, $"{train.Name}/validation-split"), rest)
            {
                Rows = new ScenarioRows(restRows, heldOut, restRows),
            };
        }
        if (labelled >= train.Count)
            throw new ArgumentException($"--labelled {labelled} leaves no unlabelled sample in the {train.Count} training samples.", nameof(labelled));
        var order = new int[train.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new Rng(Rng.Hash(seed, 0x4645574C, 0)).Shuffle<int>(order);
        int validationCount = Math.Max(1, (int)Math.Round(labelled * validationFraction));
        int[] validationRows = Sorted(order.AsSpan(0, validationCount));
        int[] labelledRows = Sorted(order.AsSpan(validationCount, labelled - validationCount));
        int[] transferRows = Sorted(order.AsSpan(validationCount));
        Dataset transfer = train.Subset(transferRows, $"{train.Name}/transfer");
        var keep = new List<int>(labelledRows.Length);
        for (int i = 0, j = 0; i < transferRows.Length && j < labelledRows.Length; i++)
            if (transferRows[i] == labelledRows[j]) { keep.Add(i); j++; }
        return new ScenarioData(
            train.Subset(labelledRows, $"{train.Name}/labelled"),
            train.Subset(validationRows, $"{train.Name}/validation"),
            transfer.WithLabelsOnly(keep.ToArray(), $"{train.Name}/transfer ({labelledRows.Length} labelled)"))
        {
            Rows = new ScenarioRows(labelledRows, validationRows, transferRows),
        };
    }

    private static int[] Sorted(ReadOnlySpan<int> rows)
    {
        int[] copy = rows.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
