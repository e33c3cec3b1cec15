using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Training;

const string Usage = """
usage: tinykd <command> [options]

commands:
  pipeline train a teacher, a student alone and a distilled student in two scenarios; print and write the comparison
  train    train an MLP on Fashion-MNIST and save it (tinykd train --help)
  distill  distil a student from saved teachers or teacher logits (tinykd distill --help)
  eval     evaluate a saved model on the test split (tinykd eval --help)
  prune    magnitude-prune a saved model (one-shot, gradual or structured), fine-tune it, save its sparse form (tinykd prune --help)
  quantize int8 post-training quantization of a saved model (dense or pruned), compared with fp32 (tinykd quantize --help)
  export   write a saved model as a PyTorch nn.Sequential state dictionary in .safetensors (tinykd export --help)
  import   bring a PyTorch MLP saved as .safetensors in as a TinyKd model, e.g. a teacher (tinykd import --help)
  recsys   recommender distillation: 'tinykd recsys pipeline' (MovieLens or synthetic), 'tinykd recsys synth'
  bench    time GEMMs, training steps, inference and pruned models against this machine's FMA peak and dense twins (tinykd bench --help)

Run 'tinykd <command> --help' for the options of a command.
""";

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.Out.Write(Usage);
    return args.Length == 0 ? 2 : 0;
}

if (EnvironmentSettings.Problem() is { } problem)
{
    Console.Error.WriteLine($"tinykd: {problem}");
    return 2;
}

try
{
    return args[0] switch
    {
        "train" => TrainCommand.Run(args[1..], Console.Out),
        "distill" => DistillCommand.Run(args[1..], Console.Out),
        "pipeline" => PipelineCommand.Run(args[1..], Console.Out),
        "eval" => EvalCommand.Run(args[1..], Console.Out),
        "prune" => PruneCommand.Run(args[1..], Console.Out),
        "bench" => BenchCommand.Run(args[1..], Console.Out),
        "recsys" => RecsysCommand.Run(args[1..], Console.Out),
        "quantize" => QuantizeCommand.Run(args[1..], Console.Out),
        "export" => ExportCommand.Run(args[1..], Console.Out),
        "import" => ImportCommand.Run(args[1..], Console.Out),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"tinykd: {e.Message} (see 'tinykd {(args.Length > 0 && args[0] is "train" or "eval" or "prune" or "bench" or "distill" or "pipeline" or "recsys" or "export" or "import" or "quantize" ? args[0] + " " : "")}--help')");
    return 2;
}
catch (TrainingDivergedException e)
{
    Console.Error.WriteLine($"tinykd: error: {Messages.Plain(e)} Nothing was saved; --allow-divergence keeps a run whose numbers stayed finite.");
    return DivergenceReport.ExitCode;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
{
    // What a person can fix: a missing, unreadable or malformed file, or a value the library refused.
    Console.Error.WriteLine($"tinykd: error: {Messages.Plain(e)}");
    return 1;
}
catch (Exception e)
{
    // Anything else is a bug in TinyKd: show all of it, stack trace included, with the exit code of an internal error.
    Console.Error.WriteLine($"tinykd: internal error (a bug in TinyKd; please report it with this text):{Environment.NewLine}{e}");
    return 70;
}
