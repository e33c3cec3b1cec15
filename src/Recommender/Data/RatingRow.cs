namespace TinyKd.Recommender;

/// <summary>
/// One explicit rating: user <paramref name="UserId"/> gave movie <paramref name="MovieId"/> <paramref name="Rating"/>
/// stars (half stars, 0.5–5) at <paramref name="Timestamp"/> (Unix seconds). Ids are the raw ids of the source data.
/// </summary>
/// <param name="UserId">Raw user id.</param>
/// <param name="MovieId">Raw movie id.</param>
/// <param name="Rating">Stars in [0.5, 5].</param>
/// <param name="Timestamp">When the rating was given, in Unix seconds.</param>
public readonly record struct RatingRow(int UserId, int MovieId, float Rating, long Timestamp);
