using TinyKd.Autograd.Nn;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Pruning;

public sealed class PruneCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-prune-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Gradual_pruning_with_a_teacher_saves_a_sparse_model_that_eval_scores_the_same()
    {
        string model = Trained("784-48-10"), pruned = Path.Combine(_dir, "pruned.tkd");
        var output = new StringWriter();
        Assert.Equal(0, PruneCommand.Run([model, "--sparsity", "0.9", "--schedule", "gradual", "--steps", "2", "--epochs", "2",
            "--teacher", model, "--layout", "sparse", "--out", pruned], output));
        SavedModel saved = ModelFile.Load(pruned);
        var first = Assert.IsType<SparseLinear>(saved.Model.AffineLayers[0]);
        Assert.InRange(first.Weight.Sparsity, 0.9, 0.901);
        Assert.IsType<Linear>(saved.Model.AffineLayers[1]);
        Assert.Contains("pruning step 2/2: sparsity 90.0 %", output.ToString());
        Assert.True(new FileInfo(pruned).Length < 0.2 * new FileInfo(model).Length);
        var evalOutput = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([pruned], evalOutput));
        Assert.Equal(TestLine(output), TestLine(evalOutput));
    }

    [Fact]
    public void Structured_pruning_saves_a_smaller_dense_model()
    {
        string model = Trained("784-40-10"), pruned = Path.Combine(_dir, "narrow.tkd");
        Assert.Equal(0, PruneCommand.Run([model, "--sparsity", "0.5", "--structured", "--epochs", "1", "--out", pruned], TextWriter.Null));
        SavedModel saved = ModelFile.Load(pruned);
        Assert.Equal([784, 20, 10], saved.Model.Spec.Sizes);
        Assert.All(saved.Model.AffineLayers, l => Assert.IsType<Linear>(l));
    }

    [Theory]
    [InlineData("--sparsity", "1.5", "--sparsity")]
    [InlineData("--schedule", "sudden", "--schedule")]
    [InlineData("--granularity", "row", "--granularity")]
    [InlineData("--epochs", "1", "fewer than the 3 gradual pruning steps")]
    public void Bad_arguments_are_usage_errors_naming_them(string option, string value, string fragment)
    {
        string[] args = option == "--epochs"
            ? ["m.tkd", "--sparsity", "0.5", "--schedule", "gradual", option, value]
            : ["m.tkd", "--sparsity", "0.5", option, value];
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => PruneCommand.Run(args, TextWriter.Null)).Message);
    }

    [Fact]
    public void Pruning_an_already_pruned_model_is_refused_naming_it()
    {
        string model = Trained("784-24-10"), pruned = Path.Combine(_dir, "once.tkd");
        Assert.Equal(0, PruneCommand.Run([model, "--sparsity", "0.5", "--epochs", "0", "--layout", "sparse", "--out", pruned], TextWriter.Null));
        Assert.Contains(pruned, Assert.Throws<UsageException>(() => PruneCommand.Run([pruned, "--sparsity", "0.9", "--out", Path.Combine(_dir, "twice.tkd")], TextWriter.Null)).Message);
    }

    private string Trained(string sizes)
    {
        string path = Path.Combine(_dir, $"{sizes}.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", sizes, "--dropout", "0", "--epochs", "1", "--out", path], TextWriter.Null));
        return path;
    }

    private static string TestLine(StringWriter output) =>
        output.ToString().Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
}
