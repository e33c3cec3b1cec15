namespace TinyKd.Recommender;

/// <summary>Whether a distilled student beats the same student trained alone (see <see cref="RankingVerdict"/>).</summary>
public enum Verdict
{
    /// <summary>The gain's interval lies above 0 and the gain exceeds the seed spread.</summary>
    Wins,

    /// <summary>Neither a win nor a loss.</summary>
    Ties,

    /// <summary>The gain's interval lies below 0 and the loss exceeds the seed spread.</summary>
    Loses,
}
