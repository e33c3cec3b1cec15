using TinyKd.Autograd;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>One epoch of a recommender's training: the mean loss per positive and, when asked for, a validation score.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="Loss">The mean training loss over the epoch's steps.</param>
/// <param name="Validation">The validation metric after the epoch (NaN when none was computed).</param>
public readonly record struct RecommenderEpoch(int Epoch, double Loss, double Validation);

/// <summary>
/// Trains a <see cref="RecommenderModel"/> on implicit feedback. Each step takes <c>BatchSize</c> training positives in a
/// seeded shuffle; row r of the step is the candidate list [positive, n negatives, extras] of its user — extras being
/// the listwise candidates or the ranking-distillation draws — and all rows are scored in one forward pass.
/// The loss is the options' ranking loss on the first 1 + n columns, plus for a student (1 − α)/α-weighted
/// distillation against cached <see cref="TeacherScores"/>. Adam updates dense layers and, lazily, the touched rows
/// of the embedding tables.
/// </summary>
public sealed class RecommenderTrainer : IDisposable
{
    private readonly RecommenderModel _model;
    private readonly InteractionData _data;
    private readonly RecommenderTrainingOptions _options;
    private readonly TeacherScores? _teacher;
    private readonly Adam _adam;
    private readonly Graph _graph; // on the model's backend
    private readonly Rng _rng, _distillationRng;
    private readonly NegativeSampler _sampler, _extraSampler;
    private readonly int[] _order;
    private readonly int[] _topK = [];
    private readonly double[] _rankCumulative = [];
    private readonly RankingLossTerms _terms;
    private double _firstStepLoss = double.NaN;

    /// <summary>Prepares training; a distilling student needs the teacher's cached scores.</summary>
    /// <exception cref="ArgumentException">
    /// Distillation without teacher scores, scores of another shape than the data, or a user who has seen every item
    /// (no negative can be sampled for them).
    /// </exception>
    public RecommenderTrainer(RecommenderModel model, InteractionData data, RecommenderTrainingOptions options, TeacherScores? teacher = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.UserCount != data.UserCount || model.ItemCount != data.ItemCount)
            throw new ArgumentException($"The model covers {model.UserCount} users × {model.ItemCount} items; the data has {data.UserCount} × {data.ItemCount}.", nameof(model));
        if (data.TrainUsers.Length == 0) throw new ArgumentException("The data has no training positives.", nameof(data));
        foreach (int user in data.TrainUsers)
            if (data.Seen(user).Length >= data.ItemCount)
                throw new ArgumentException(
                    $"User {user} (raw id {data.RawUserIds[user]}) has seen all {data.ItemCount} items in training; there is no negative to sample.", nameof(data));
        if (options.Distillation != RankingDistillation.None)
        {
            if (teacher is null)
                throw new ArgumentException($"Distillation '{RankingLossNames.Name(options.Distillation)}' needs the teacher's scores.", nameof(teacher));
            if (teacher.UserCount != data.UserCount || teacher.ItemCount != data.ItemCount)
                throw new ArgumentException($"The teacher's scores cover {teacher.UserCount} × {teacher.ItemCount}; the data has {data.UserCount} × {data.ItemCount}.", nameof(teacher));
        }
        _model = model;
        _data = data;
        _options = options;
        _teacher = teacher;
        _adam = new Adam(model.Parameters(), options.LearningRate);
        // Two streams: shuffles and negatives from one, the distillation's extra draws from the other, so that a
        // distilled student sees the same batches and negatives as its student alone, step for step (a paired comparison).
        _rng = new Rng(Rng.Hash(options.Seed, 0x7EC5, 1));
        _sampler = new NegativeSampler(data, _rng);
        _distillationRng = new Rng(Rng.Hash(options.Seed, 0x7EC5, 2));
        _extraSampler = new NegativeSampler(data, _distillationRng);
        _order = Enumerable.Range(0, data.TrainUsers.Length).ToArray();
        _graph = new Graph(model.Backend);
        _terms = new RankingLossTerms(options, model.Backend);
        if (options.Distillation == RankingDistillation.RankDistill)
        {
            _topK = teacher!.TopUnseen(data, options.TopK);
            _rankCumulative = new double[options.TopK];
            double total = 0;
            for (int r = 0; r < options.TopK; r++) total += Math.Exp(-(r + 1) / options.RankDecay);
            double running = 0;
            for (int r = 0; r < options.TopK; r++) _rankCumulative[r] = (running += Math.Exp(-(r + 1) / options.RankDecay) / total);
        }
    }

    /// <summary>The optimizer (its step count is the number of steps taken).</summary>
    public Optimizer Optimizer => _adam;

    /// <summary>
    /// Runs every epoch; after each, <paramref name="validate"/> (if given) scores the model (higher is better) and
    /// <paramref name="onEpoch"/> hears about it. With <paramref name="keepBest"/> the model ends with the weights of
    /// its best-scoring epoch (the first, on a tie) rather than the last, so an overfitting model is not judged on its
    /// worst state.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="keepBest"/> without a validation function.</exception>
    /// <exception cref="TrainingDivergedException">
    /// The loss became NaN or infinite, or — unless <see cref="RecommenderTrainingOptions.AllowDivergence"/> — the
    /// finished run diverged (see <see cref="DivergenceCheck"/>).
    /// </exception>
    public IReadOnlyList<RecommenderEpoch> Fit(Func<RecommenderModel, double>? validate = null, Action<RecommenderEpoch>? onEpoch = null,
        bool keepBest = false)
    {
        if (keepBest && validate is null) throw new ArgumentException("Keeping the best epoch needs a validation function.", nameof(keepBest));
        var history = new List<RecommenderEpoch>(_options.Epochs);
        IReadOnlyList<Variable> parameters = _model.Parameters();
        float[][]? best = null;
        double bestScore = double.NegativeInfinity;
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            double loss = RunEpoch();
            double validation = validate is null ? double.NaN : validate(_model);
            var record = new RecommenderEpoch(epoch, loss, validation);
            history.Add(record);
            onEpoch?.Invoke(record);
            if (keepBest && validation > bestScore)
            {
                bestScore = validation;
                best = parameters.Select(p => p.Data.ToArray()).ToArray();
                BestEpoch = epoch;
            }
        }
        if (best is not null)
            for (int i = 0; i < parameters.Count; i++) parameters[i].Data.Backend.CopyFromHost(parameters[i].Data, best[i]);
        Divergence = DivergenceCheck.Reason([.. history.Select(h => h.Loss)], _firstStepLoss, lossesComparable: true, _model.NamedParameters());
        if (Divergence is not null && !_options.AllowDivergence)
            throw new TrainingDivergedException(
                $"Training {_model.Architecture} diverged: {Divergence}. Try a lower learning rate (now {_options.LearningRate}).");
        return history;
    }

    /// <summary>
    /// After <see cref="Fit"/> with <see cref="RecommenderTrainingOptions.AllowDivergence"/>: why the run diverged,
    /// or null when it did not.
    /// </summary>
    public string? Divergence { get; private set; }

    /// <summary>The epoch whose weights <see cref="Fit"/> kept with <c>keepBest</c> (0 when it kept the last).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>One pass over the training positives in a fresh shuffle; returns the mean loss per step.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite (the weights are those before that step).</exception>
    public double RunEpoch()
    {
        _model.Train();
        Shuffle();
        double sum = 0;
        int steps = 0;
        for (int start = 0; start < _order.Length; start += _options.BatchSize)
        {
            float loss = Step(start, Math.Min(_options.BatchSize, _order.Length - start));
            if (!float.IsFinite(loss))
                throw new TrainingDivergedException(
                    $"The training loss became {loss} at step {_adam.StepCount + 1} of {_model.Architecture}; the weights are those before that step. Try a lower learning rate (now {_options.LearningRate}).");
            if (_adam.StepCount == 1 && steps == 0) _firstStepLoss = loss;
            sum += loss;
            steps++;
        }
        return sum / steps;
    }

    private float Step(int start, int rows)
    {
        int width = _terms.Width;
        _graph.Reset();
        _adam.ZeroGrad();
        Memory<int> users = _graph.Indices(rows * width), items = _graph.Indices(rows * width);
        FillCandidates(start, rows, users.Span, items.Span);
        _model.UploadBatch(_graph, users, items);
        Variable scores = Ops.Reshape(_model.Score(_graph, users, items), rows, width);
        Variable loss = _terms.Loss(_graph, scores, _teacher, users.Span, items.Span);
        float value = loss.Item();
        if (!float.IsFinite(value)) return value; // before the step, so a NaN never reaches the weights
        loss.Backward();
        _adam.Step();
        return value;
    }

    // A new epoch's order of the training positives.
    internal void Shuffle() => _rng.Shuffle(_order.AsSpan());

    /// <summary>Candidates per row: 1 + negatives, plus the distillation's extra columns.</summary>
    internal int Width => _terms.Width;

    // Row r: the user repeated; items = [positive, negatives…, extras…].
    internal void FillCandidates(int start, int rows, Span<int> users, Span<int> items)
    {
        int width = _terms.Width, list = 1 + _options.Negatives;
        for (int r = 0; r < rows; r++)
        {
            int pair = _order[start + r];
            int user = _data.TrainUsers[pair];
            Span<int> row = items.Slice(r * width, width);
            users.Slice(r * width, width).Fill(user);
            row[0] = _data.TrainItems[pair];
            _sampler.Fill(user, row[1..list]);
            if (_options.Distillation == RankingDistillation.Listwise) _extraSampler.Fill(user, row[list..]);
            else if (_options.Distillation == RankingDistillation.RankDistill)
                for (int k = list; k < width; k++) row[k] = _topK[user * _options.TopK + DrawRank()];
        }
    }

    // A rank in [0, K) drawn with probability ∝ exp(−(r + 1)/λ).
    private int DrawRank()
    {
        double x = _distillationRng.NextDouble();
        int r = 0;
        while (r < _rankCumulative.Length - 1 && x >= _rankCumulative[r]) r++;
        return r;
    }

    /// <summary>
    /// Releases the device memory the trainer made (Adam's moments, the step graph's buffers, the loss terms' constants) now rather than at a
    /// finalizer; the model is not the trainer's and stays. Idempotent; the trainer must not be used afterwards.
    /// </summary>
    public void Dispose()
    {
        _adam.Dispose();
        _graph.Dispose();
        _terms.Dispose();
    }
}
