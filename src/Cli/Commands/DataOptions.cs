using TinyKd.Distill.Data;

namespace TinyKd.Cli.Commands;

/// <summary>The data options shared by the commands that read Fashion-MNIST.</summary>
public static class DataOptions
{
    /// <summary>--data.</summary>
    public static OptionSpec Data { get; } = new("data", "sample|full|DIR",
        "embedded 10k/2k sample, the Debian full set (scripts/install-full-data.sh), or a folder of the four IDX files", "sample");

    /// <summary>Loads the train and test splits named by --data.</summary>
    public static (Dataset Train, Dataset Test) Load(CommandLine line) => FashionMnist.Resolve(line.Get("data"));
}
