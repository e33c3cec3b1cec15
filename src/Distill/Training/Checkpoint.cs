using System.Text.Json;
using TinyKd.Distill.Models;
using TinyKd.Tensors;

namespace TinyKd.Distill.Training;

/// <summary>
/// Where a training run stood at the end of an epoch: enough, with the tensors beside it, to continue as if it had
/// never stopped.
/// </summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="StepCount">Optimizer steps taken (the learning-rate schedule and Adam's bias correction follow it).</param>
/// <param name="DropoutStreams">The next mask stream of every dropout layer, in module order.</param>
/// <param name="BestEpoch">The epoch with the best validation accuracy so far (0 = none).</param>
/// <param name="BestAccuracy">Its validation accuracy.</param>
/// <param name="EpochsWithoutImprovement">Epochs since the best one (for early stopping).</param>
/// <param name="Finished">True once the run ended (last epoch, or stopped early).</param>
/// <param name="History">Every completed epoch's summary.</param>
/// <param name="Fingerprint">The options, data size and parameter shapes of the run, so a checkpoint is never resumed into another run.</param>
public sealed record CheckpointState(int Epoch, long StepCount, ulong[] DropoutStreams, int BestEpoch, double BestAccuracy,
    int EpochsWithoutImprovement, bool Finished, EpochResult[] History, string Fingerprint);

/// <summary>
/// Training checkpoints: a <see cref="TensorFile"/> (so written atomically: a kill -9 during a save leaves the
/// previous checkpoint intact) whose header is a <see cref="CheckpointState"/> and whose tensors are the trainable
/// parameters (<c>param.NAME</c>), the optimizer state (<c>optimizer.I</c>) and the best weights so far
/// (<c>best.NAME</c>).
/// </summary>
public static class Checkpoint
{
    private const string What = "Checkpoint";

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, CheckpointState state, IEnumerable<(string Name, Tensor Data)> parameters,
        IReadOnlyList<Tensor> optimizerState, IEnumerable<(string Name, Tensor Data)> best)
    {
        ArgumentNullException.ThrowIfNull(state);
        var tensors = parameters.Select(p => ("param." + p.Name, p.Data))
            .Concat(optimizerState.Select((t, i) => ("optimizer." + i.ToString(System.Globalization.CultureInfo.InvariantCulture), t)))
            .Concat(best.Select(p => ("best." + p.Name, p.Data)));
        TensorFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(new Header { Kind = "checkpoint", State = state }), tensors);
    }

    /// <summary>Reads a checkpoint: its state and its tensors by name.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, or a model file rather than a checkpoint (the message names it).</exception>
    public static (CheckpointState State, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        var (headerBytes, tensors) = TensorFile.Read(path, What);
        Header? header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(headerBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{What} '{path}' has an unreadable header ({e.Message}).");
        }
        if (header is not { Kind: "checkpoint", State: not null })
            throw new InvalidDataException($"'{path}' is a TinyKd file but not a training checkpoint (a model file?).");
        return (header.State, tensors);
    }

    private sealed class Header
    {
        public string Kind { get; set; } = "";
        public CheckpointState? State { get; set; }
    }
}
