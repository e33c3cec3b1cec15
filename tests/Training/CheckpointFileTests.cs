using TinyKd.Distill.Training;
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
