using TinyKd.Autograd;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// The loss of one training step over a [B, W] score matrix whose row r is a user's candidate list
/// [positive, n negatives, extras]: the ranking loss on the first L = 1 + n columns, and for a student
/// L = (1 − α)·loss + α·term with the distillation term on the teacher's scores of the same candidates. The constant
/// targets are allocated once for the largest batch, on the model's backend, and viewed for smaller ones; the teacher's
/// scores of a batch are gathered on the host and uploaded in one copy.
/// </summary>
internal sealed class RankingLossTerms
{
    private readonly RecommenderTrainingOptions _options;
    private readonly int _list;
    private readonly Tensor _bceTargets;     // [B, L]: 1 then zeros
    private readonly Tensor _bprDifferences; // [L, n]: column j = e_{j+1} − e_0, so S·D = s_neg − s_pos
    private readonly Tensor _zeros;          // [B, n]
    private readonly Tensor _ones;           // [B, m]
    private readonly Tensor _teacher;        // [B, W] teacher scores (or their softened probabilities)
    private readonly float[] _teacherHost;   // the same, gathered on the host before the upload
    private readonly IntTensor _positiveLabels; // B zeros on the backend: the positive is class 0 of the sampled softmax

    public RankingLossTerms(RecommenderTrainingOptions options, ICompute backend)
    {
        _options = options;
        _list = 1 + options.Negatives;
        Width = _list + options.ExtraColumns;
        int b = options.BatchSize, n = options.Negatives;
        var bceTargets = new float[b * _list];
        for (int r = 0; r < b; r++) bceTargets[r * _list] = 1f;
        _bceTargets = Tensor.Upload(bceTargets, new Shape(b, _list), backend);
        var bprDifferences = new float[_list * n];
        for (int j = 0; j < n; j++)
        {
            bprDifferences[j] = -1f;
            bprDifferences[(j + 1) * n + j] = 1f;
        }
        _bprDifferences = Tensor.Upload(bprDifferences, new Shape(_list, n), backend);
        _zeros = Tensor.Zeros(new Shape(b, n), backend);
        int m = Math.Max(options.RankSamples, 1);
        _ones = Tensor.Zeros(new Shape(b, m), backend);
        backend.Fill(_ones, 1f);
        _teacher = Tensor.Zeros(new Shape(b, Width), backend);
        _teacherHost = new float[b * Width];
        _positiveLabels = IntTensor.Zeros(b, backend);
    }

    // Releases the constant tensors' device memory (a CPU backend's is left to the collector).
    public void Dispose()
    {
        foreach (Tensor t in (Tensor[])[_bceTargets, _bprDifferences, _zeros, _ones, _teacher]) DeviceMemory.Release(t);
        DeviceMemory.Release(_positiveLabels);
    }


    /// <summary>Candidates per row: the list plus the distillation extras.</summary>
    public int Width { get; }

    public Variable Loss(Graph graph, Variable scores, TeacherScores? teacher, ReadOnlySpan<int> users, ReadOnlySpan<int> items)
    {
        int rows = scores.Shape[0];
        Variable list = Width == _list ? scores : Ops.Narrow(scores, 1, 0, _list);
        Variable hard = Hard(graph, list, rows);
        if (_options.Distillation == RankingDistillation.None) return hard;
        float t = _options.Temperature;
        Variable term;
        switch (_options.Distillation)
        {
            case RankingDistillation.SoftBce:
            {
                Tensor targets = TeacherBlock(teacher!, users, items, rows, _list, softTargets: t);
                Variable soft = Losses.BceWithLogits(Ops.Scale(list, 1f / t), graph.Input(targets));
                term = Ops.Scale(soft, t * t);
                break;
            }
            case RankingDistillation.Listwise:
            {
                Tensor targets = TeacherBlock(teacher!, users, items, rows, Width, softTargets: null);
                term = Losses.KlDivergence(scores, graph.Input(targets), t, weight: t * t);
                break;
            }
            default:
            {
                // −log σ(s) of the drawn top-K items, scaled so that a row's draws together weigh as much as one
                // candidate of the list: Tang & Wang's top-K weights sum to 1 per user, one positive's worth.
                int m = _options.RankSamples;
                Variable drawn = Losses.BceWithLogits(Ops.Narrow(scores, 1, _list, m), graph.Input(_ones.Slice(0, rows)));
                term = Ops.Scale(drawn, 1f / _list);
                break;
            }
        }
        return Ops.Add(Ops.Scale(hard, 1f - _options.Alpha), Ops.Scale(term, _options.Alpha));
    }

    private Variable Hard(Graph graph, Variable list, int rows) => _options.Loss switch
    {
        RankingLoss.Bce => Losses.BceWithLogits(list, graph.Input(_bceTargets.Slice(0, rows))),
        RankingLoss.Bpr => Losses.BceWithLogits(Ops.MatMul(list, graph.Input(_bprDifferences)), graph.Input(_zeros.Slice(0, rows))),
        _ => Losses.CrossEntropy(list, _positiveLabels.Slice(0, rows)),
    };

    // The teacher's scores of the first `columns` candidates of each row, as [rows, columns]; given a temperature T in
    // `softTargets` they are turned into the soft-BCE targets σ(t/T).
    private Tensor TeacherBlock(TeacherScores teacher, ReadOnlySpan<int> users, ReadOnlySpan<int> items, int rows, int columns, float? softTargets)
    {
        var block = new Tensor(_teacher.Storage, new Shape(rows, columns));
        Span<float> values = _teacherHost.AsSpan(0, rows * columns);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                float s = teacher[users[r * Width + c], items[r * Width + c]];
                values[r * columns + c] = softTargets is float t ? 1f / (1f + MathF.Exp(-s / t)) : s;
            }
        block.Backend.CopyFromHost(block, values);
        return block;
    }
}
