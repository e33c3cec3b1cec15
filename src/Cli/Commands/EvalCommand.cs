using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;

namespace TinyKd.Cli.Commands;

/// <summary><c>tinykd eval MODEL</c>: scores a saved model on the test split, on the CPU or a device (<c>--device</c>).</summary>
public static class EvalCommand
{
    private static readonly OptionSpec[] Options =
    [
        .. DataOptions.All,
        DataOptions.PositiveClass,
        DeviceOption.Option,
        new("logits-out", "FILE", "also write the model's logits for every training image as float32 [N, C] .npy (teacher logits for 'tinykd distill --teacher-logits')"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd eval MODEL [options]", "Evaluates a saved model (.tkd) on the test split: accuracy, macro-F1, ECE, ROC-AUC, per-class scores.", Options));
            return 0;
        }
        if (line.Positional.Count != 1) throw new UsageException("eval needs exactly one model file, e.g. tinykd eval model.tkd");
        if (string.IsNullOrWhiteSpace(line.Positional[0])) throw new UsageException("eval needs a model file; the MODEL argument is empty");
        string? logitsPath = line.Get("logits-out") is { } logitsOut ? OutputPath.File("logits-out", logitsOut) : null;
        using var device = DeviceOption.Open(line);
        SavedModel saved = SafeTensorsImport.LoadModel(line.Positional[0]);
        using Mlp model = saved.Model; // released before the device it may move to
        var (train, test, _) = DataOptions.Load(line, saved.ClassNames);
        TrainCommand.CheckFits(saved.Model.Spec, test);
        int? positiveClass = DataOptions.PositiveClassOf(line, test);
        saved.Standardizer?.Apply(test);
        output.WriteLine($"tinykd eval: {line.Positional[0]}: MLP {saved.Model.Spec}, {saved.Model.StoredParameterCount():N0} parameters stored; {test.Count} test samples from {test.Source}, {(saved.Standardizer is null ? "not standardised" : saved.Standardizer.IsPerFeature ? "standardised per feature" : "globally standardised")} as the model was trained{(saved.ClassNames is { } names ? $"; labels mapped by name to the model's classes {string.Join(", ", names)}" : "")}");
        try
        {
            saved.Model.To(DeviceOption.Backend(device)); // the model's batches and logits stay on the device
        }
        catch (NotSupportedException e)
        {
            throw new UsageException($"--device {line.Get("device")}: '{line.Positional[0]}': {e.Message}");
        }
        if (device is not null) output.WriteLine($"evaluating on {device.Name} ({device.DeviceName})");
        Report.Metrics(output, "test", Evaluation.Run(saved.Model, test), positiveClass);
        if (logitsPath is not null)
        {
            saved.Standardizer?.Apply(train);
            float[] logits = Evaluation.PredictLogits(saved.Model, train.Features, train.Classes);
            NpyFile.WriteFloat32Matrix(logitsPath, logits, train.Count, train.Classes);
            output.WriteLine($"wrote the logits of {train.Count} training images to {logitsPath} (float32 [{train.Count}, {train.Classes}])");
        }
        return 0;
    }
}
