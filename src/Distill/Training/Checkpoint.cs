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

    /// <summary>
    /// Reads a checkpoint: its state and its tensors by name. The whole state is validated before it is returned:
    /// every field present (a file with a valid checksum may still lack one), the counters non-negative and
    /// consistent (history length = epoch, best epoch and epochs without improvement ≤ epoch, best accuracy in
    /// [−1, 1]), and the tensors named <c>param.NAME</c>, <c>best.NAME</c> (the same names, the same shapes) and
    /// <c>optimizer.I</c> (numbered from 0 without gaps).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is damaged, inconsistent, or a model file rather than a checkpoint (the message names it and the fault).
    /// </exception>
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
            throw new InvalidDataException($"{What} '{path}' has an unreadable header ({e.Message}).", e);
        }
        if (header is not { Kind: "checkpoint" })
            throw new InvalidDataException($"'{path}' is a TinyKd file but not a training checkpoint (a model file?).");
        InvalidDataException Error(string what) => new($"{What} '{path}' {what}.");
        CheckpointState state = header.State ?? throw Error("has no training state in its header");
        CheckState(state, Error);
        CheckTensors(tensors, Error);
        return (state, tensors);
    }

    private static void CheckState(CheckpointState state, Func<string, InvalidDataException> error)
    {
        if (state.DropoutStreams is null) throw error("lacks the field 'DropoutStreams'");
        if (state.History is null) throw error("lacks the field 'History'");
        if (state.Fingerprint is null) throw error("lacks the field 'Fingerprint'");
        if (state.Epoch < 0 || state.StepCount < 0)
            throw error($"has a negative epoch ({state.Epoch}) or step count ({state.StepCount})");
        if (state.History.Length != state.Epoch)
            throw error($"records {state.History.Length} epochs of history after {state.Epoch} epochs");
        if (state.BestEpoch < 0 || state.BestEpoch > state.Epoch)
            throw error($"has best epoch {state.BestEpoch}, outside [0, {state.Epoch}]");
        if (state.EpochsWithoutImprovement < 0 || state.EpochsWithoutImprovement > state.Epoch)
            throw error($"has {state.EpochsWithoutImprovement} epochs without improvement, outside [0, {state.Epoch}]");
        if (!(state.BestAccuracy >= -1 && state.BestAccuracy <= 1))
            throw error($"has best accuracy {state.BestAccuracy}, outside [-1, 1]");
    }

    private static void CheckTensors(Dictionary<string, Tensor> tensors, Func<string, InvalidDataException> error)
    {
        int optimizer = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith("param.", StringComparison.Ordinal))
            {
                string best = "best." + name["param.".Length..];
                if (!tensors.TryGetValue(best, out Tensor kept)) throw error($"holds '{name}' but not '{best}'");
                if (kept.Shape != tensor.Shape) throw error($"holds '{name}' of shape {tensor.Shape} but '{best}' of shape {kept.Shape}");
            }
            else if (name.StartsWith("best.", StringComparison.Ordinal))
            {
                string param = "param." + name["best.".Length..];
                if (!tensors.ContainsKey(param)) throw error($"holds '{name}' but not '{param}'");
            }
            else if (name.StartsWith("optimizer.", StringComparison.Ordinal)) optimizer++;
            else throw error($"holds an unexpected tensor '{name}' (a checkpoint holds param.*, best.* and optimizer.*)");
        }
        for (int i = 0; i < optimizer; i++)
        {
            string name = "optimizer." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!tensors.ContainsKey(name)) throw error($"holds {optimizer} optimizer tensors but not '{name}'");
        }
    }

    private sealed class Header
    {
        public string Kind { get; set; } = "";
        public CheckpointState? State { get; set; }
    }
}
