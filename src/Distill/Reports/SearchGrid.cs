namespace TinyKd.Distill.Reports;

/// <summary>
/// The temperature/α search of one scenario laid out as a grid: the distinct temperatures as rows and the distinct α
/// as columns, both ascending; a pair the search did not try is an empty cell.
/// </summary>
internal sealed class SearchGrid
{
    /// <summary>Header of the corner cell: rows are T, columns α.</summary>
    public const string Corner = "T \\ α";

    private readonly SearchCell?[,] _cells;

    private SearchGrid(IReadOnlyList<float> temperatures, IReadOnlyList<float> alphas, SearchCell?[,] cells)
    {
        Temperatures = temperatures;
        Alphas = alphas;
        _cells = cells;
    }

    /// <summary>The row values, ascending.</summary>
    public IReadOnlyList<float> Temperatures { get; }

    /// <summary>The column values, ascending.</summary>
    public IReadOnlyList<float> Alphas { get; }

    /// <summary>The cell of row <paramref name="row"/> and column <paramref name="column"/>, or null when it was not tried.</summary>
    public SearchCell? this[int row, int column] => _cells[row, column];

    /// <summary>Lays out the search of <paramref name="scenario"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Two cells share a temperature and an α (named by <paramref name="parameterName"/>, with the scenario and the pair).
    /// </exception>
    public static SearchGrid Of(ScenarioReport scenario, string parameterName)
    {
        var temperatures = scenario.Search.Select(c => c.Temperature).Distinct().Order().ToList();
        var alphas = scenario.Search.Select(c => c.Alpha).Distinct().Order().ToList();
        var cells = new SearchCell?[temperatures.Count, alphas.Count];
        foreach (var cell in scenario.Search)
        {
            int row = temperatures.IndexOf(cell.Temperature), column = alphas.IndexOf(cell.Alpha);
            if (cells[row, column] is not null)
                throw new ArgumentException(
                    $"Scenario '{scenario.Name}' has two search cells for T {ReportText.Hyperparameter(cell.Temperature)}, " +
                    $"α {ReportText.Hyperparameter(cell.Alpha)}.", parameterName);
            cells[row, column] = cell;
        }
        return new SearchGrid(temperatures, alphas, cells);
    }

    /// <summary>The validation accuracy of a cell (mean over the seeds) as a percentage with two decimals, or the missing mark.</summary>
    public static string Value(SearchCell? cell) => cell is null ? ReportText.Missing : ReportText.Fixed(100 * cell.ValidationAccuracy, 2);

    /// <summary>
    /// The tables a report shows of a search with <paramref name="seeds"/>: the mean over the seeds, which the choice
    /// is made on, then (with several seeds) one per seed; each with its caption and how it reads a cell.
    /// </summary>
    public static IReadOnlyList<(string Caption, Func<SearchCell?, string> Value)> Tables(IReadOnlyList<ulong> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        string over = seeds.Count == 1 ? $"with seed {seeds[0]}" : $"mean over the seeds {string.Join(", ", seeds)}";
        var tables = new List<(string, Func<SearchCell?, string>)>
        {
            ($"Validation accuracy (%) of the distilled student, {over}, over the temperature T (rows) and α (columns); " +
             "the pair kept (the best mean) in bold.", Value),
        };
        if (seeds.Count > 1)
            tables.AddRange(seeds.Select((seed, k) => ($"Seed {seed}: validation accuracy (%) of each pair; the pair kept in bold.",
                (Func<SearchCell?, string>)(cell => cell is null || k >= cell.SeedAccuracies.Count ? ReportText.Missing : ReportText.Fixed(100 * cell.SeedAccuracies[k], 2)))));
        return tables;
    }
}
