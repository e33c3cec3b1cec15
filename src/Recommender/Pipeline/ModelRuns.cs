namespace TinyKd.Recommender;

/// <summary>One pipeline model's results over the seeds: test rankings, curves, timings, size and speed.</summary>
internal sealed class ModelRuns(string name, string student, string loss, RankingDistillation distillation)
{
    private readonly List<RankingResult> _tests = [];
    private readonly List<IReadOnlyList<RecommenderEpoch>> _curves = [];
    private readonly List<double> _seconds = [];
    private string _architecture = "";
    private long _parameters, _bytes;
    private double _microseconds, _usersPerSecond;

    public string Name { get; } = name;

    public string Student { get; } = student;

    public string Loss { get; } = loss;

    public RankingDistillation Distillation { get; } = distillation;

    public void Add(RankingResult test, IReadOnlyList<RecommenderEpoch> curve, double seconds)
    {
        _tests.Add(test);
        _curves.Add(curve);
        _seconds.Add(seconds);
    }

    // Size and serving speed, taken from the first seed's model; a model without trainable parameters (int8) gives the count it stores.
    public void Measure(RecommenderModel model, long bytes, long? parameters = null)
    {
        _architecture = model.Architecture;
        _parameters = parameters ?? model.ParameterCount();
        _bytes = bytes;
        _microseconds = ScoringLatency.MicrosecondsPerUser(model);
        _usersPerSecond = ScoringLatency.UsersPerSecond(model);
    }

    // [seed][user] values of one metric for a group ("all" or "cold").
    public double[][] Table(InteractionData data, string group, string metric) =>
        _tests.Select(t => (group == "cold" ? t.Subset(data.ColdStartUsers) : t).Values(metric).ToArray()).ToArray();

    public RecommenderModelResult Summarise(InteractionData data)
    {
        IReadOnlyList<string> metrics = _tests[0].MetricNames;
        Dictionary<string, SeedSummary> Group(string group) => metrics.ToDictionary(m => m, m => SeedSummary.Of(Table(data, group, m)));
        return new RecommenderModelResult(Name, Student, _architecture, Loss, _parameters, _bytes, _microseconds, _usersPerSecond,
            _seconds.Average(), Group("all"), Group("cold"), _curves);
    }
}
