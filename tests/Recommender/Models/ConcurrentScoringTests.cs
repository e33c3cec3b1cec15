using System.Runtime.InteropServices;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Models;

/// <summary>
/// Serving contract of <see cref="RecommenderModel.ScoreAll"/>: one model answers many threads at once
/// (each call borrows its own scratch; NeuMF's precomputed item side is published whole), every answer equal bit for
/// bit to a single-threaded one, and the model's mode untouched.
/// </summary>
public class ConcurrentScoringTests
{
    private const int Threads = 8;
    private const int CallsPerThread = 250;

    private static InteractionData Data => RecommenderFixtures.Data;

    public static TheoryData<string> Architectures => ["neumf", "mf"];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Eight_threads_scoring_one_fresh_model_all_get_the_single_threaded_scores(string architecture)
    {
        // Thread t scores its own users, so threads that shared scratch would overwrite each other's rows.
        int[][] users = [.. Enumerable.Range(0, Threads).Select(t => new[] { t, t + Threads, Data.UserCount - 1 - t })];
        var single = Create(architecture);
        float[][] reference = [.. users.Select(u => new float[u.Length * Data.ItemCount])];
        for (int t = 0; t < Threads; t++) single.ScoreAll(users[t], reference[t]);

        var model = Create(architecture);
        int mismatches = 0;
        Concurrently.Run(Threads, t =>
        {
            var scores = new float[reference[t].Length];
            for (int call = 0; call < CallsPerThread; call++)
            {
                model.ScoreAll(users[t], scores);
                if (!MemoryMarshal.Cast<float, int>(scores).SequenceEqual(MemoryMarshal.Cast<float, int>(reference[t].AsSpan())))
                    Interlocked.Increment(ref mismatches);
            }
        });

        Assert.True(mismatches == 0, $"{architecture}: {mismatches} of {Threads * CallsPerThread} concurrent ScoreAll calls differ from the single-threaded scores");
        Assert.All(model.Modules(), m => Assert.True(m.IsTraining, $"{architecture}: {m.GetType().Name} left the training mode"));
    }

    private static RecommenderModel Create(string architecture) => architecture == "neumf"
        ? new NeuMF(Data.UserCount, Data.ItemCount, RecommenderFixtures.Genres, new NeuMFSpec(8, 4, [16, 8]), new Rng(1))
        : new MatrixFactorization(Data.UserCount, Data.ItemCount, 6, new Rng(2));
}
