namespace TinyKd.Recommender;

/// <summary>
/// Scores every item for a batch of users: row r of <paramref name="scores"/> ([users.Length, items] row-major)
/// receives the scores of user <c>users[r]</c>, higher meaning ranked first. Every entry must be written.
/// </summary>
public delegate void UserScorer(ReadOnlySpan<int> users, Span<float> scores);
