namespace TinyKd.Distill.Pipeline;

/// <summary>
/// The row indices of one seed's splits of a scenario, 0-based rows of the training set in ascending order (with
/// unlabelled rows of another file, those follow the training set's rows), so that another engine can train on
/// exactly the same rows.
/// </summary>
/// <param name="Labelled">The rows the teacher and the student alone train on, with their labels.</param>
/// <param name="Validation">The validation rows.</param>
/// <param name="Transfer">The rows the distilled student trains on (the labelled ones keep their labels).</param>
public sealed record ScenarioRows(int[] Labelled, int[] Validation, int[] Transfer);

/// <summary>The splits of one scenario and seed of a pipeline run.</summary>
/// <param name="Scenario">The scenario's name in reports ("all labels").</param>
/// <param name="Seed">The seed.</param>
/// <param name="Rows">The rows of each split.</param>
public sealed record SeedSplits(string Scenario, ulong Seed, ScenarioRows Rows);
