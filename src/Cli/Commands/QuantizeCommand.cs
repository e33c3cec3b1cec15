using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd quantize MODEL --out Q.tkd</c>: post-training int8 quantization of a saved fp32 model (dense or pruned):
/// 7-bit per-row weights, activations dynamic or statically calibrated on training rows; prints fp32 and int8 test
/// accuracy, bytes and batch-1 latency side by side, and saves the int8 model.
/// </summary>
public static class QuantizeCommand
{
    private static readonly OptionSpec[] Options =
    [
        new("mode", "KIND", "activations: dynamic (each batch's own range) or static (one calibrated range per layer)", "dynamic"),
        new("calibration", "N", "training rows the static ranges are calibrated on (the first N)", "1000"),
        new("range", "KIND", "static ranges from the minmax or the percentile of the calibration activations", "minmax"),
        new("percentile", "P", "p of --range percentile: the range is the (100 − p)-th to p-th percentile", "99.99"),
        new("keep-output-fp32", null, "leave the last (logits) layer in fp32"),
        DataOptions.Data,
        new("out", "FILE", "where to save the int8 model", "int8.tkd"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd quantize MODEL [options]",
                "Quantizes a saved fp32 model (dense or pruned) to int8 after training, compares it with the fp32 model on the\n" +
                "test split (accuracy, bytes, µs/sample at batch 1) and saves it (docs/quantization.md).", Options));
            return 0;
        }
        if (line.Positional.Count != 1) throw new UsageException("quantize needs exactly one model file, e.g. tinykd quantize student.tkd --out int8.tkd");
        if (string.IsNullOrWhiteSpace(line.Positional[0])) throw new UsageException("quantize needs a model file; the MODEL argument is empty");
        var options = new QuantizationOptions(
            line.Choice("mode", "dynamic", "static") == "static" ? ActivationMode.Static : ActivationMode.Dynamic,
            line.Choice("range", "minmax", "percentile") == "percentile" ? CalibrationMethod.Percentile : CalibrationMethod.MinMax,
            line.Flag("percentile") ? line.Float("percentile", 50.001f, 100f) : 99.99,
            line.Flag("keep-output-fp32"));
        int samples = line.Flag("calibration") ? line.Int("calibration", 1) : 1000;
        string outPath = OutputPath.File("out", line.Get("out"));

        string modelPath = line.Positional[0];
        SavedModel saved = ModelFile.Load(modelPath);
        if (saved.Model.AffineLayers.Any(l => l is not (Linear or SparseLinear)))
            throw new UsageException($"'{modelPath}' is already quantized ({saved.Metadata.GetValueOrDefault("stage", "not fp32")}); quantize the fp32 model");
        var (train, test) = DataOptions.Load(line);
        TrainCommand.CheckFits(saved.Model.Spec, train);
        saved.Standardizer?.Apply(train);
        saved.Standardizer?.Apply(test);
        Tensor calibration = train.Features.Slice(0, Math.Min(samples, train.Count));
        Mlp fp32 = saved.Model, int8 = PostTrainingQuantizer.Quantize(fp32, options, options.Activations == ActivationMode.Static ? calibration : default);

        string how = options.Activations == ActivationMode.Dynamic ? "dynamic activations"
            : options.Calibration == CalibrationMethod.MinMax ? $"static activations, min-max over {calibration.Shape[0]} training rows"
            : string.Create(CultureInfo.InvariantCulture, $"static activations, {options.Percentile}th percentile over {calibration.Shape[0]} training rows");
        output.WriteLine($"tinykd quantize: {modelPath} ({fp32.Spec}): int8 weights (7-bit, per output row), {how}{(options.KeepOutputLayerFp32 ? ", output layer fp32" : "")}");
        Evaluation before = Evaluation.Run(fp32, test), after = Evaluation.Run(int8, test);
        Report.Metrics(output, "fp32 test", before);
        Report.Metrics(output, "int8 test", after);
        double fp32Micros = InferenceLatency.MicrosecondsPerSample(fp32, test.Features);
        double int8Micros = InferenceLatency.MicrosecondsPerSample(int8, test.Features);
        ModelFile.Save(outPath, int8, saved.Standardizer, new Dictionary<string, string>
        {
            ["stage"] = "int8",
            ["quantized_from"] = modelPath,
            ["quantization"] = how,
            ["test_accuracy"] = after.Accuracy.ToString("R", CultureInfo.InvariantCulture),
        });
        long fp32Bytes = new FileInfo(modelPath).Length, bytes = new FileInfo(outPath).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {before.Accuracy * 100:F2}% → {after.Accuracy * 100:F2}% ({(after.Accuracy - before.Accuracy) * 100:+0.00;-0.00} pp); µs/sample at batch 1 {fp32Micros:F1} → {int8Micros:F1} ({fp32Micros / int8Micros:F2}×)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"saved {outPath} ({bytes:N0} bytes, {(double)bytes / fp32Bytes:F3}× the {fp32Bytes:N0} of {modelPath})"));
        return 0;
    }
}
