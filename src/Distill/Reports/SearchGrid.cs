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

    /// <summary>The validation accuracy of a cell as a percentage with two decimals, or the missing mark.</summary>
    public static string Value(SearchCell? cell) => cell is null ? ReportText.Missing : ReportText.Fixed(100 * cell.ValidationAccuracy, 2);
}
