using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;
using TinyKd.Tests.Data;
using TinyKd.Tests.Fuzz;

namespace TinyKd.Tests.Training;

/// <summary>
/// Checkpoints with a valid checksum but a damaged state: <see cref="Checkpoint.Load"/> refuses each with an
/// <see cref="InvalidDataException"/> naming the file and the field, so a resume never meets a null or inconsistent field.
/// </summary>
public sealed class CheckpointFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Edited(Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        string path = _dir.File("run.ckpt");
        File.WriteAllBytes(path, ValidFiles.Checkpoint());
        TkdContainer.EditHeader(path, h => edit(h["State"]!.AsObject()));
        return path;
    }

    [Fact]
    public void Load_reads_the_valid_checkpoint()
    {
        var (state, tensors) = Checkpoint.Load(Edited(_ => { }));

        Assert.Equal(2, state.Epoch);
        Assert.Equal(6, tensors.Count);
    }

    [Theory]
    [InlineData("DropoutStreams")]
    [InlineData("History")]
    [InlineData("Fingerprint")]
    public void Load_rejects_a_checkpoint_lacking_a_field_naming_the_file_and_the_field(string field)
    {
        string path = Edited(s => s.Remove(field));

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData("Epoch", -1)]
    [InlineData("Epoch", 3)]
    [InlineData("BestEpoch", 5)]
    [InlineData("EpochsWithoutImprovement", -2)]
    [InlineData("StepCount", -1)]
    [InlineData("BestAccuracy", 2)]
    public void Load_rejects_inconsistent_counters_naming_the_file(string field, int value)
    {
        string path = Edited(s => s[field] = value);

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_lacking_a_field_names_the_file_instead_of_failing_in_the_trainer()
    {
        var (train, _) = FashionMnistSample.Load();
        var (small, validation) = train.Subset(Enumerable.Range(0, 200).ToArray()).Split(0.2, 1);
        string path = _dir.File("resume.ckpt");
        var options = new TrainingOptions { Epochs = 2, BatchSize = 50, Seed = 1, CheckpointPath = path, Resume = true };
        Mlp Fresh() => new(MlpSpec.Parse("784-8-10", dropout: 0.2f), new Rng(1));
        new Trainer(Fresh(), options with { Epochs = 1 }).Fit(small, validation);
        TkdContainer.EditHeader(path, h => h["State"]!.AsObject().Remove("DropoutStreams"));

        var e = Assert.Throws<InvalidDataException>(() => new Trainer(Fresh(), options).Fit(small, validation));

        Assert.Contains(path, e.Message);
        Assert.Contains("DropoutStreams", e.Message);
    }

    [Fact]
    public void Load_rejects_a_model_file_header_naming_the_file()
    {
        string path = _dir.File("run.ckpt");
        File.WriteAllBytes(path, ValidFiles.Checkpoint());
        TkdContainer.EditHeader(path, h => h.Remove("State"));

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("no training state", e.Message);
    }
}
