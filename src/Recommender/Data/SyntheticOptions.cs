namespace TinyKd.Recommender;

/// <summary>
/// Settings of <see cref="SyntheticRatings.Generate"/>. The defaults make a MovieLens-like table small enough for tests
/// and a default run: 500 users, about 1,200 movies, about 27,500 ratings (15 to a few hundred per user), roughly half
/// of them ≥ 4 stars, and about one user in ten a cold-start user (evaluated, ≤ 10 training positives) after
/// <see cref="LeaveLastOutSplit"/>. On seeds 1–6 a BPR matrix factorisation reaches 1.6–2.8× the test HR@10 of a
/// popularity ranking.
/// </summary>
public sealed record SyntheticOptions
{
    /// <summary>Seeds every draw; the same options give the same table, bit for bit.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The number of users U (raw ids 1..U); every user rates at least <see cref="MinRatingsPerUser"/> movies.</summary>
    public int Users { get; init; } = 500;

    /// <summary>The number of movies drawn (raw ids 1..M); movies nobody happens to rate are left out of the table.</summary>
    public int Movies { get; init; } = 1200;

    /// <summary>The number of genres G (MovieLens genre names first, then <c>Genre19</c>, …).</summary>
    public int Genres { get; init; } = 18;

    /// <summary>The dimension F of the latent taste space.</summary>
    public int Factors { get; init; } = 16;

    /// <summary>The mean number of ratings per user.</summary>
    public double MeanRatingsPerUser { get; init; } = 55;

    /// <summary>The fewest ratings a user gives (MovieLens has 20; fewer make a cold-start group).</summary>
    public int MinRatingsPerUser { get; init; } = 15;

    /// <summary>σ of the log-normal part of a user's activity: larger means a heavier tail of very active users.</summary>
    public double ActivitySpread { get; init; } = 0.6;

    /// <summary>Zipf exponent s of movie popularity: the movie of popularity rank r is picked ∝ (r + 1)^−s.</summary>
    public double PopularityExponent { get; init; } = 1.0;

    /// <summary>β: how strongly users pick movies matching their taste (choice weight ∝ popularity · exp(β · affinity)).</summary>
    public double TasteSelection { get; init; } = 4.0;

    /// <summary>Standard deviation of the per-rating noise, in stars, before rounding to half stars.</summary>
    public double RatingNoise { get; init; } = 0.7;

    /// <summary>Length of a user's taste drift over their history, relative to a taste vector of length about 1.</summary>
    public double Drift { get; init; } = 0.4;

    /// <summary>Earliest first rating, Unix seconds (default 2000-01-01).</summary>
    public long StartTimestamp { get; init; } = 946_684_800;

    /// <summary>Checks that every setting is in range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(Users >= 1, nameof(Users), Users, "at least 1");
        Require(Movies >= 2, nameof(Movies), Movies, "at least 2");
        Require(Genres >= 1, nameof(Genres), Genres, "at least 1");
        Require(Factors >= 1, nameof(Factors), Factors, "at least 1");
        Require(MinRatingsPerUser >= 1 && MinRatingsPerUser < Movies, nameof(MinRatingsPerUser), MinRatingsPerUser, $"in [1, {nameof(Movies)})");
        Require(double.IsFinite(MeanRatingsPerUser) && MeanRatingsPerUser > MinRatingsPerUser && MeanRatingsPerUser <= Movies / 2.0,
            nameof(MeanRatingsPerUser), MeanRatingsPerUser, $"greater than {nameof(MinRatingsPerUser)} and at most half of {nameof(Movies)}");
        Require(double.IsFinite(ActivitySpread) && ActivitySpread >= 0, nameof(ActivitySpread), ActivitySpread, "finite and ≥ 0");
        Require(double.IsFinite(PopularityExponent) && PopularityExponent >= 0, nameof(PopularityExponent), PopularityExponent, "finite and ≥ 0");
        Require(double.IsFinite(TasteSelection) && TasteSelection >= 0, nameof(TasteSelection), TasteSelection, "finite and ≥ 0");
        Require(double.IsFinite(RatingNoise) && RatingNoise >= 0, nameof(RatingNoise), RatingNoise, "finite and ≥ 0");
        Require(double.IsFinite(Drift) && Drift >= 0, nameof(Drift), Drift, "finite and ≥ 0");
        Require(StartTimestamp >= 0, nameof(StartTimestamp), StartTimestamp, "≥ 0");
    }

    private static void Require(bool ok, string name, object value, string range)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"SyntheticOptions.{name} must be {range}; got {value}.");
    }
}
