namespace TinyKd.Recommender;

/// <summary>
/// Per-user ranking metrics of one model on one set of users: a table of values[metric][user], the users in the
/// order evaluated. Immutable; <see cref="Subset"/> selects a group such as the cold-start users.
/// </summary>
public sealed class RankingResult
{
    private readonly int[] _users;
    private readonly string[] _names;
    private readonly double[][] _values;
    private readonly Dictionary<string, int> _metricIndex;

    /// <summary>A table of <paramref name="values"/>[metric][user] (copied), for the metrics and users given.</summary>
    /// <exception cref="ArgumentException">
    /// A user listed twice, a metric named twice, a row count other than the metric count, a row length other than
    /// the user count, or a NaN value (named by metric and user).
    /// </exception>
    public RankingResult(IReadOnlyList<int> users, IReadOnlyList<string> metricNames, IReadOnlyList<double[]> values)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(metricNames);
        ArgumentNullException.ThrowIfNull(values);
        _users = users.ToArray();
        _names = metricNames.ToArray();
        var seen = new HashSet<int>();
        foreach (int user in _users)
        {
            if (!seen.Add(user)) throw new ArgumentException($"User {user} is listed twice.", nameof(users));
        }
        _metricIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int m = 0; m < _names.Length; m++)
        {
            if (!_metricIndex.TryAdd(_names[m], m)) throw new ArgumentException($"Metric '{_names[m]}' is named twice.", nameof(metricNames));
        }
        if (values.Count != _names.Length)
            throw new ArgumentException($"'{nameof(values)}' has {values.Count} rows; there are {_names.Length} metrics.", nameof(values));
        _values = new double[_names.Length][];
        for (int m = 0; m < _names.Length; m++)
        {
            if (values[m].Length != _users.Length)
                throw new ArgumentException(
                    $"'{nameof(values)}' row '{_names[m]}' has {values[m].Length} entries; there are {_users.Length} users.", nameof(values));
            for (int u = 0; u < _users.Length; u++)
            {
                if (double.IsNaN(values[m][u]))
                    throw new ArgumentException($"'{_names[m]}' of user {_users[u]} is NaN.", nameof(values));
            }
            _values[m] = (double[])values[m].Clone();
        }
    }

    /// <summary>The users, in the order of every row of the table.</summary>
    public IReadOnlyList<int> Users => _users;

    /// <summary>The metric names, in table order.</summary>
    public IReadOnlyList<string> MetricNames => _names;

    /// <summary>The per-user values of <paramref name="metric"/>, in the order of <see cref="Users"/>.</summary>
    /// <exception cref="ArgumentException">A metric not in the table (the message lists those that are).</exception>
    public ReadOnlySpan<double> Values(string metric) => _values[IndexOf(metric)];

    /// <summary>The mean of <paramref name="metric"/> over the users.</summary>
    /// <exception cref="ArgumentException">A metric not in the table.</exception>
    /// <exception cref="InvalidOperationException">The result holds no user.</exception>
    public double Mean(string metric)
    {
        var values = _values[IndexOf(metric)];
        if (values.Length == 0) throw new InvalidOperationException($"The mean of '{metric}' is undefined: the result holds no user.");
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum / values.Length;
    }

    /// <summary>
    /// The rows of the users in <paramref name="users"/>, kept in this result's order (the order of
    /// <paramref name="users"/> does not matter). An empty group gives an empty result.
    /// </summary>
    /// <exception cref="ArgumentException">A user that this result does not hold.</exception>
    public RankingResult Subset(IReadOnlyCollection<int> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var wanted = users as IReadOnlySet<int> ?? new HashSet<int>(users);
        var rows = new List<int>(wanted.Count);
        for (int u = 0; u < _users.Length; u++)
        {
            if (wanted.Contains(_users[u])) rows.Add(u);
        }
        if (rows.Count != wanted.Count)
        {
            var held = new HashSet<int>(_users);
            int missing = wanted.First(user => !held.Contains(user));
            throw new ArgumentException($"User {missing} is not in this result ({_users.Length} users).", nameof(users));
        }
        var subsetUsers = new int[rows.Count];
        for (int r = 0; r < rows.Count; r++) subsetUsers[r] = _users[rows[r]];
        var subsetValues = new double[_names.Length][];
        for (int m = 0; m < _names.Length; m++)
        {
            subsetValues[m] = new double[rows.Count];
            for (int r = 0; r < rows.Count; r++) subsetValues[m][r] = _values[m][rows[r]];
        }
        return new RankingResult(subsetUsers, _names, subsetValues);
    }

    private int IndexOf(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return _metricIndex.TryGetValue(metric, out int m)
            ? m
            : throw new ArgumentException($"No metric '{metric}' in this result; it holds {string.Join(", ", _names)}.", nameof(metric));
    }
}
