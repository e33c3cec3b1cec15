using System.Diagnostics;
using System.Globalization;
using TinyKd.Recommender;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd recsys</c>: recommender distillation. <c>pipeline</c> trains the NeuMF teacher and the MF and small
/// NeuMF students alone and distilled with each ranking loss, on MovieLens (<c>--data</c>, exported by
/// scripts/export-movielens.sh), a MovieLens folder as GroupLens ships it, or the seeded synthetic data; <c>synth</c>
/// writes the synthetic data as a CSV or a GroupLens-layout folder.
/// </summary>
public static class RecsysCommand
{
    private static readonly OptionSpec[] PipelineOptions =
    [
        new("data", "PATH", "a MovieLens folder as GroupLens ships it (ratings.csv + movies.csv, u.data + u.item, ratings.dat + movies.dat) or a CSV in the export schema (scripts/export-movielens.sh); default: the seeded synthetic data"),
        new("seeds", "S,S,...", "train every model once per seed", "1,2,3"),
        new("epochs", "N", "epochs of every model", "15"),
        new("teacher", "D:G:H", "teacher NeuMF: embedding width, genre width, hidden widths", "64:16:256-128-64"),
        new("student", "D:G:H", "NeuMF student", "8:4:16"),
        new("mf-width", "D", "MF student embedding width", "16"),
        new("loss", "NAME", "the students' own loss: bce, bpr or softmax", "bce"),
        new("distill", "NAME,...", "distillation losses: soft-bce, rank-distill, listwise", "soft-bce,rank-distill,listwise"),
        new("alpha", "A", "weight α of the distillation term", "0.5"),
        new("temperature", "T", "temperature of soft-bce and listwise", "2"),
        new("no-curves", null, "skip the validation NDCG@10 after every epoch (faster)"),
        new("keep-best", null, "every model keeps its best validation-NDCG@10 epoch instead of its last"),
        new("report", "DIR", "where to write report.md, report.json, report.html and the models", "report-recsys"),
        DivergenceReport.Option,
        DeviceOption.Option,
    ];

    private static readonly OptionSpec[] ReportOptions =
    [
        new("json", "FILE", "a report.json of 'tinykd recsys pipeline' or of scripts/recsys_pytorch.py"),
        new("out", "DIR", "where to write report.md and report.html (and a copy of the JSON)"),
    ];

    private static readonly OptionSpec[] SynthOptions =
    [
        new("out", "PATH", "where to write the synthetic ratings: a file (--layout export) or a folder"),
        new("layout", "KIND", "export (the CSV schema), csv (ratings.csv + movies.csv), ml-100k (u.data + u.item + u.genre) or dat (ratings.dat + movies.dat)", "export"),
        new("seed", "S", "generator seed", "1"),
        new("users", "N", "users to generate", "500"),
        new("movies", "N", "movies to generate", "1200"),
        new("ratings-per-user", "R", "mean ratings per user", "55"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Count == 0 || args[0] is "--help" or "-h")
        {
            output.Write("""
                usage: tinykd recsys <pipeline|synth|report> [options]

                  pipeline  teacher, students alone and distilled with each ranking loss; print and write the report
                  synth     write the seeded synthetic ratings as a MovieLens-schema CSV (for the PyTorch script) or a GroupLens folder
                  report    render a report.json (TinyKd's or the PyTorch script's) as Markdown and HTML again

                """);
            return args.Count == 0 ? 2 : 0;
        }
        return args[0] switch
        {
            "pipeline" => Pipeline(args.Skip(1).ToList(), output),
            "synth" => Synth(args.Skip(1).ToList(), output),
            "report" => Report(args.Skip(1).ToList(), output),
            _ => throw new UsageException($"unknown recsys command '{args[0]}'; use pipeline, synth or report"),
        };
    }

    private static int Pipeline(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, PipelineOptions);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd recsys pipeline [options]",
                "Trains a NeuMF teacher, an MF and a small NeuMF student alone and distilled with each ranking-distillation loss (same recipe, steps and seeds), evaluates them by full ranking for all users and the cold-start group, and writes the report.",
                PipelineOptions));
            return 0;
        }
        if (line.Positional.Count > 0) throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        long started = Stopwatch.GetTimestamp();
        string directory = OutputPath.Folder("report", line.Get("report"));
        string? path = line.Get("data");
        RatingsTable table = path is null ? SyntheticRatings.Generate() : Directory.Exists(path) ? GroupLensFolder.Read(path) : MovieLensCsv.Read(path);
        InteractionData data = LeaveLastOutSplit.Create(table);
        RecommenderPipelineOptions options = Parse(line);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tinykd recsys pipeline: {(path is null ? "synthetic data" : path)}: {data.UserCount:N0} users, {data.ItemCount:N0} items, {data.Ratings:N0} ratings ({data.Positives:N0} positive); " +
            $"{data.EvaluatedUsers.Length} evaluated users, {data.ColdStartUsers.Length} cold start; seeds {string.Join(",", options.Seeds)}"));
        using var device = DeviceOption.Open(line);
        if (device is not null) output.WriteLine($"training on {device.Name} ({device.DeviceName})");
        var pipeline = new RecommenderPipeline(options with { ModelDirectory = Path.Combine(directory, "models"), Backend = device }, output);
        RecommenderReport report = pipeline.Run(data, path is null ? "synthetic" : Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));
        output.WriteLine();
        output.Write(RecommenderMarkdownReport.Render(report));
        IReadOnlyList<string> written = RecommenderReportWriter.Write(report, directory);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {string.Join(", ", written)} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s"));
        return 0;
    }

    private static RecommenderPipelineOptions Parse(CommandLine line)
    {
        try
        {
            var training = new RecommenderTrainingOptions
            {
                Epochs = line.Int("epochs", 1),
                Loss = RankingLossNames.ParseLoss(line.Get("loss")!),
                Alpha = line.Float("alpha", 0f, 1f),
                Temperature = line.Float("temperature", 1e-3f, 1e3f),
                AllowDivergence = line.Flag("allow-divergence"),
            };
            var options = new RecommenderPipelineOptions
            {
                Seeds = PipelineCommand.ParseSeeds(line.Get("seeds")!),
                Training = training,
                Teacher = NeuMFSpec.Parse(line.Get("teacher")!),
                Student = NeuMFSpec.Parse(line.Get("student")!),
                MfWidth = line.Int("mf-width", 1),
                Distillations = line.Get("distill")!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(RankingLossNames.ParseDistillation).ToList(),
                ValidateEachEpoch = !line.Flag("no-curves"),
                KeepBestEpoch = line.Flag("keep-best"),
            };
            options.Validate();
            return options;
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Messages.Plain(e));
        }
    }

    private static int Synth(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, SynthOptions);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd recsys synth --out PATH [--layout export|csv|ml-100k|dat] [--seed S]",
                "Writes the seeded synthetic ratings (the default data of 'tinykd recsys pipeline') in the MovieLens CSV schema, or as a folder in one of GroupLens' layouts.", SynthOptions));
            return 0;
        }
        string layout = line.Choice("layout", "export", "csv", "ml-100k", "dat");
        string target = line.Get("out") ?? throw new UsageException("option '--out PATH' is required");
        string path = layout == "export" ? OutputPath.File("out", target) : OutputPath.Folder("out", target);
        SyntheticOptions options;
        try
        {
            options = new SyntheticOptions
            {
                Seed = line.UInt64("seed"),
                Users = line.Flag("users") ? line.Int("users", 1) : 500,
                Movies = line.Flag("movies") ? line.Int("movies", 1) : 1200,
                MeanRatingsPerUser = line.Flag("ratings-per-user") ? line.Float("ratings-per-user", 1f, 1e6f) : 55,
            };
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Messages.Plain(e));
        }
        RatingsTable table = SyntheticRatings.Generate(options);
        if (layout == "export") MovieLensCsv.Write(table, path);
        else GroupLensFolder.Write(table, path, layout switch { "csv" => GroupLensLayout.Csv, "ml-100k" => GroupLensLayout.Ml100k, _ => GroupLensLayout.Dat });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {table.Rows.Count:N0} synthetic ratings to {path}"));
        return 0;
    }

    private static int Report(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, ReportOptions);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd recsys report --json FILE --out DIR",
                "Renders a recommender report.json (written by 'tinykd recsys pipeline' or scripts/recsys_pytorch.py) as report.md and report.html.", ReportOptions));
            return 0;
        }
        string json = line.Get("json") ?? throw new UsageException("option '--json FILE' is required");
        string directory = OutputPath.Folder("out", line.Get("out") ?? throw new UsageException("option '--out DIR' is required"));
        RecommenderReport report = RecommenderJsonReader.Read(json);
        IReadOnlyList<string> written = RecommenderReportWriter.Write(report, directory);
        output.WriteLine($"wrote {string.Join(", ", written)}");
        return 0;
    }
}
