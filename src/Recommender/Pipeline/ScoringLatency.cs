using System.Diagnostics;
using TinyKd.Distill.Pipeline;

namespace TinyKd.Recommender;

/// <summary>
/// Serving speed of a recommender: scoring every item for one user (what a request for a ranked list costs), the
/// median over many calls after a warm-up of at least a quarter second (<see cref="InferenceLatency.MedianMicroseconds"/>);
/// and throughput in batches of users.
/// </summary>
public static class ScoringLatency
{
    /// <summary>The median microseconds to score all items for one user (batch 1), over <paramref name="calls"/> calls.</summary>
    public static double MicrosecondsPerUser(RecommenderModel model, int calls = 100)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(calls);
        var scores = new float[model.ItemCount];
        var user = new int[1];
        void Score(int i)
        {
            user[0] = i % model.UserCount;
            model.ScoreAll(user, scores);
        }
        return InferenceLatency.MedianMicroseconds(Score, calls);
    }

    /// <summary>Users scored per second (all items each) in batches of <paramref name="batch"/>, over at least 0.25 s.</summary>
    public static double UsersPerSecond(RecommenderModel model, int batch = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        var scores = new float[batch * model.ItemCount];
        int[] users = Enumerable.Range(0, batch).Select(u => u % model.UserCount).ToArray();
        model.ScoreAll(users, scores);
        long start = Stopwatch.GetTimestamp();
        long end = start + Stopwatch.Frequency / 4;
        int scored = 0;
        do
        {
            model.ScoreAll(users, scores);
            scored += batch;
        } while (Stopwatch.GetTimestamp() < end);
        return scored / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
