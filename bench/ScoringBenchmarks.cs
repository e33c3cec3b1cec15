using BenchmarkDotNet.Attributes;
using TinyKd.Autograd;
using TinyKd.Recommender;
using TinyKd.Tensors;

namespace TinyKd.Bench;

/// <summary>
/// Serving one user: every item scored, on MovieLens-sized models (671 users, 9,066 items, 20 genres, 1–3 per item).
/// The baseline scores the 9,066 (user, item) pairs through the training forward (<see cref="RecommenderModel.Score"/>
/// without gradients); <see cref="RecommenderModel.ScoreAll"/> takes each model's shortcut: MF's one GEMM, NeuMF's first
/// tower layer split into a per-call item part and a per-user part. The Ratio column is the shortcut against the pairs.
/// </summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private const int Users = 671, Items = 9066, GenreCount = 20;
    private RecommenderModel _model = null!;
    private readonly Graph _graph = new();
    private readonly int[] _user = [17];
    private readonly float[] _scores = new float[Items];
    private readonly int[] _pairUsers = new int[Items], _pairItems = new int[Items];

    /// <summary>teacher (NeuMF 64:16:256-128-64), neumf-8 (8:4:16) or mf (width 16).</summary>
    [Params("teacher", "neumf-8", "mf")]
    public string Model { get; set; } = "teacher";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        var offsets = new int[Items + 1];
        var indices = new List<int>();
        for (int i = 0; i < Items; i++)
        {
            int count = 1 + rng.NextInt(3);
            for (int k = 0; k < count; k++) indices.Add((i * 7 + k * 5) % GenreCount);
            offsets[i + 1] = indices.Count;
        }
        var genres = new ItemGenres(offsets, [.. indices], GenreCount);
        _model = Model switch
        {
            "teacher" => new NeuMF(Users, Items, genres, new NeuMFSpec(64, 16, [256, 128, 64]), rng),
            "neumf-8" => new NeuMF(Users, Items, genres, new NeuMFSpec(8, 4, [16]), rng),
            _ => new MatrixFactorization(Users, Items, 16, rng),
        };
        _model.Eval();
        Array.Fill(_pairUsers, _user[0]);
        for (int i = 0; i < Items; i++) _pairItems[i] = i;
    }

    [Benchmark(Baseline = true)]
    public float PairwiseForward()
    {
        using var _ = GradMode.NoGrad();
        _graph.Reset();
        Variable s = _model.Score(_graph, _pairUsers, _pairItems);
        s.Data.Backend.CopyToHost(s.Data, _scores);
        return _scores[0];
    }

    [Benchmark]
    public float ScoreAll()
    {
        _model.ScoreAll(_user, _scores);
        return _scores[0];
    }
}
