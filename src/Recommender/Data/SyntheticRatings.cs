using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// Generates a MovieLens-like <see cref="RatingsTable"/> from a latent-factor model with popularity skew, genre
/// structure, heavy-tailed activity and taste drift, so that a recommender using user and item factors has real
/// structure to learn beyond popularity. All draws come from one <see cref="Rng"/> seeded by
/// <see cref="SyntheticOptions.Seed"/> in a fixed order: the same options give the same table, bit for bit.
/// </summary>
/// <remarks>
/// The model, with F = <see cref="SyntheticOptions.Factors"/>, G = <see cref="SyntheticOptions.Genres"/>:
/// <list type="number">
/// <item><b>Genres.</b> Genre k has a direction g_k, a standard normal vector in R^F scaled to length 1, and a frequency
/// ∝ (k + 1)^−0.7 (a few big genres, like Drama and Comedy, and many small ones).</item>
/// <item><b>Movies.</b> Movie i has 1, 2 or 3 distinct genres (probabilities 0.5, 0.35, 0.15; at most G) drawn by
/// frequency; its factor is q_i = mean of its genres' directions + 0.5 z_i / √F (z standard normal); a quality bias
/// b_i ~ N(0, 0.3²); a popularity π_i = (r_i + 1)^−s over a random ranking r of the movies, s =
/// <see cref="SyntheticOptions.PopularityExponent"/> (Zipf-like); a year uniform in 1950–2016, unknown (NA) with
/// probability 0.01.</item>
/// <item><b>Users.</b> User u likes 1 or 2 genres (probabilities 0.6, 0.4) drawn by frequency; taste p_u = mean of
/// their directions + 0.5 z_u / √F; a drift d_u = Drift · z'_u / √F; a bias c_u ~ N(0, 0.2²); an activity n_u =
/// MinRatingsPerUser + round(X), X log-normal with σ = <see cref="SyntheticOptions.ActivitySpread"/> and mean
/// MeanRatingsPerUser − MinRatingsPerUser, capped at half the movies (heavy-tailed: many light users, a few very
/// heavy ones).</item>
/// <item><b>Choices.</b> The user rates n_u distinct movies one after another. At step k, with τ = k / (n_u − 1) the
/// position in their history, the taste is p_u(τ) = p_u + τ d_u, the affinity is a = ⟨p_u(τ), q_i⟩, and the next
/// movie is drawn among those not yet rated with weight π_i · exp(β a), β = <see cref="SyntheticOptions.TasteSelection"/>
/// (people watch what is popular and what they like).</item>
/// <item><b>Ratings.</b> r = 3.3 + c_u + b_i + a + ε, ε ~ N(0, RatingNoise²), rounded to the nearest half star and
/// clipped to [0.5, 5].</item>
/// <item><b>Time.</b> The first rating falls uniformly in the 12 years from <see cref="SyntheticOptions.StartTimestamp"/>;
/// each next one follows after 0 s with probability 0.1 (ratings entered in one go, a tie) or else after
/// 1 + an exponential gap of mean 2 days; so timestamps never decrease along a user's history.</item>
/// </list>
/// Rows are ordered by user, then by the order of the choices. Raw ids: users 1..U, movies 1..M; titles are
/// <c>Movie {id}</c>; movies nobody rated are left out.
/// </remarks>
public static class SyntheticRatings
{
    private const double MeanRating = 3.3;
    private const double TasteNoise = 0.5;
    private const double ItemBiasStd = 0.3;
    private const double UserBiasStd = 0.2;
    private const double GenreFrequencyExponent = 0.7;
    private const double MissingYearProbability = 0.01;
    private const double TieProbability = 0.1;
    private const double MeanGapSeconds = 2 * 86_400;
    private const int StartWindowDays = 12 * 365;

    // MovieLens genres, most frequent first; larger genre counts continue with Genre19, Genre20, …
    private static readonly string[] GenreNames =
    [
        "Drama", "Comedy", "Thriller", "Action", "Romance", "Adventure", "Crime", "Sci-Fi", "Horror",
        "Fantasy", "Children", "Animation", "Mystery", "Documentary", "War", "Musical", "Western", "Film-Noir",
    ];

    /// <summary>Generates the table described in the remarks for <paramref name="options"/> (the defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="SyntheticOptions.Validate"/>).</exception>
    public static RatingsTable Generate(SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        options.Validate();
        var rng = new Rng(options.Seed);
        int factors = options.Factors, movies = options.Movies;

        double[][] genreDirections = new double[options.Genres][];
        for (int k = 0; k < options.Genres; k++) genreDirections[k] = UnitVector(rng, factors);
        double[] genreFrequency = new double[options.Genres];
        for (int k = 0; k < options.Genres; k++) genreFrequency[k] = Math.Pow(k + 1, -GenreFrequencyExponent);

        var infos = new MovieInfo[movies];
        var itemFactors = new double[movies][];
        var itemBias = new double[movies];
        for (int i = 0; i < movies; i++)
        {
            int genreCount = Math.Min(options.Genres, Pick(rng, 0.5, 0.35) + 1);
            int[] genres = DistinctGenres(rng, genreFrequency, genreCount);
            itemFactors[i] = Taste(rng, genreDirections, genres, factors);
            itemBias[i] = ItemBiasStd * rng.NextNormal();
            int? year = rng.NextDouble() < MissingYearProbability ? null : 1950 + rng.NextInt(67);
            infos[i] = new MovieInfo(i + 1, $"Movie {i + 1}", year, genres.Select(GenreName).ToArray());
        }
        int[] ranks = Enumerable.Range(0, movies).ToArray();
        rng.Shuffle<int>(ranks);
        var popularity = new double[movies];
        for (int i = 0; i < movies; i++) popularity[i] = Math.Pow(ranks[i] + 1, -options.PopularityExponent);

        var rows = new List<RatingRow>();
        var affinity = new double[movies];
        var driftAffinity = new double[movies];
        var weights = new double[movies];
        var rated = new bool[movies];
        double activityMean = options.MeanRatingsPerUser - options.MinRatingsPerUser;
        double logMean = Math.Log(activityMean) - options.ActivitySpread * options.ActivitySpread / 2;
        for (int u = 0; u < options.Users; u++)
        {
            int[] liked = DistinctGenres(rng, genreFrequency, Math.Min(options.Genres, Pick(rng, 0.6) + 1));
            double[] taste = Taste(rng, genreDirections, liked, factors);
            double[] drift = new double[factors];
            for (int f = 0; f < factors; f++) drift[f] = options.Drift * rng.NextNormal() / Math.Sqrt(factors);
            double userBias = UserBiasStd * rng.NextNormal();
            double activity = Math.Exp(logMean + options.ActivitySpread * rng.NextNormal());
            int count = (int)Math.Min(movies / 2, options.MinRatingsPerUser + Math.Round(activity));
            long time = options.StartTimestamp + (long)rng.NextInt(StartWindowDays) * 86_400 + rng.NextInt(86_400);

            for (int i = 0; i < movies; i++)
            {
                affinity[i] = Dot(taste, itemFactors[i]);
                driftAffinity[i] = Dot(drift, itemFactors[i]);
            }
            Array.Clear(rated);
            for (int k = 0; k < count; k++)
            {
                double tau = count > 1 ? (double)k / (count - 1) : 0;
                double total = 0;
                for (int i = 0; i < movies; i++)
                {
                    weights[i] = rated[i] ? 0 : popularity[i] * Math.Exp(options.TasteSelection * (affinity[i] + tau * driftAffinity[i]));
                    total += weights[i];
                }
                int movie = Draw(rng, weights, total, rated);
                rated[movie] = true;
                double score = MeanRating + userBias + itemBias[movie] + affinity[movie] + tau * driftAffinity[movie]
                    + options.RatingNoise * rng.NextNormal();
                float stars = (float)Math.Clamp(Math.Round(2 * score) / 2, RatingsTable.MinRating, RatingsTable.MaxRating);
                if (k > 0 && rng.NextDouble() >= TieProbability)
                    time += 1 + (long)Math.Round(-MeanGapSeconds * Math.Log(1 - rng.NextDouble()));
                rows.Add(new RatingRow(u + 1, movie + 1, stars, time));
            }
        }
        var ratedIds = rows.Select(r => r.MovieId).ToHashSet();
        return new RatingsTable(rows, infos.Where(m => ratedIds.Contains(m.MovieId)));
    }

    private static string GenreName(int k) => k < GenreNames.Length ? GenreNames[k] : $"Genre{k + 1}";

    // 0 with probability p0, 1 with probability p1, else 2.
    private static int Pick(Rng rng, double p0, double p1 = 1)
    {
        double x = rng.NextDouble();
        return x < p0 ? 0 : x < p0 + p1 ? 1 : 2;
    }

    // count distinct genres drawn in turn with probability ∝ frequency among those not drawn yet; increasing.
    private static int[] DistinctGenres(Rng rng, double[] frequency, int count)
    {
        var taken = new bool[frequency.Length];
        var genres = new int[count];
        var weights = new double[frequency.Length];
        for (int n = 0; n < count; n++)
        {
            double total = 0;
            for (int k = 0; k < frequency.Length; k++)
            {
                weights[k] = taken[k] ? 0 : frequency[k];
                total += weights[k];
            }
            genres[n] = Draw(rng, weights, total, taken);
            taken[genres[n]] = true;
        }
        Array.Sort(genres);
        return genres;
    }

    // Mean of the genres' directions plus isotropic noise of length about TasteNoise.
    private static double[] Taste(Rng rng, double[][] directions, int[] genres, int factors)
    {
        var taste = new double[factors];
        foreach (int k in genres)
        {
            for (int f = 0; f < factors; f++) taste[f] += directions[k][f] / genres.Length;
        }
        for (int f = 0; f < factors; f++) taste[f] += TasteNoise * rng.NextNormal() / Math.Sqrt(factors);
        return taste;
    }

    private static double[] UnitVector(Rng rng, int factors)
    {
        var v = new double[factors];
        for (int f = 0; f < factors; f++) v[f] = rng.NextNormal();
        double norm = Math.Sqrt(Dot(v, v));
        for (int f = 0; f < factors; f++) v[f] /= norm;
        return v;
    }

    // An index drawn with probability weights[i] / total (weights of excluded entries are 0); the last allowed entry
    // absorbs rounding at the top of the cumulative sum.
    private static int Draw(Rng rng, double[] weights, double total, bool[] excluded)
    {
        double x = rng.NextDouble() * total;
        int last = -1;
        for (int i = 0; i < weights.Length; i++)
        {
            if (excluded[i]) continue;
            last = i;
            x -= weights[i];
            if (x < 0) return i;
        }
        return last;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int f = 0; f < a.Length; f++) sum += a[f] * b[f];
        return sum;
    }
}
