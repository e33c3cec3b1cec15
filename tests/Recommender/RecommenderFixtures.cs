using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender;

/// <summary>Small seeded synthetic data shared by the recommender tests (generated once per test run).</summary>
internal static class RecommenderFixtures
{
    private static readonly Lazy<InteractionData> Small = new(() =>
        LeaveLastOutSplit.Create(SyntheticRatings.Generate(new SyntheticOptions { Seed = 3, Users = 160, Movies = 300 })));

    /// <summary>160 users × ~300 items of synthetic ratings, split leave-last-out.</summary>
    public static InteractionData Data => Small.Value;

    /// <summary>The items' genres of <see cref="Data"/>.</summary>
    public static ItemGenres Genres => new(Data.GenreOffsets, Data.GenreIndices, Data.Genres.Length);
}
