namespace TinyKd.Recommender;

/// <summary>
/// The items of one user for a ranking evaluation (its excluded items, or its positives). The evaluator reads the
/// returned span before it calls the same delegate again, so the span may view a buffer the delegate reuses; the
/// excluded and the positives delegates must not share one buffer.
/// </summary>
public delegate ReadOnlySpan<int> UserItems(int user);
