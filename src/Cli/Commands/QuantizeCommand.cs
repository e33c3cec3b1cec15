using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd quantize MODEL --out Q.tkd</c>: post-training int8 quantization of a saved fp32 model (dense or pruned):
/// 7-bit per-row weights, activations dynamic or statically calibrated on training rows; prints fp32 and int8 test
/// accuracy, bytes and batch-1 latency side by side, and saves the int8 model. With <c>--qat</c> the model is then
/// fine-tuned quantization-aware (<see cref="QuantizationAwareTrainer"/>, distilling from <c>--teacher</c> when given)
/// and the quantization-aware int8 model is compared and saved instead.
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
        new("qat", null, "quantization-aware training: fine-tune on the int8 grid (straight-through), then quantize"),
        new("teacher", "FILE", "with --qat: distil from this teacher (.tkd) while fine-tuning; labels only when absent"),
        new("epochs", "N", "with --qat: fine-tuning epochs", "2"),
        new("batch-size", "N", "with --qat: samples per step", "128"),
        new("lr", "RATE", "with --qat: Adam's base learning rate (cosine schedule)", "0.0001"),
        new("validation", "FRACTION", "with --qat: hold out this fraction of the training data for validation", "0.1"),
        new("seed", "N", "with --qat: seed of the split and the batch order", "1"),
        .. DataOptions.All,
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
        bool qat = line.Flag("qat");
        if (!qat && new[] { "teacher", "epochs", "batch-size", "lr", "validation", "seed" }.FirstOrDefault(line.Flag) is { } stray)
            throw new UsageException($"--{stray} sets the fine-tuning of quantization-aware training; add --qat");
        string outPath = OutputPath.File("out", line.Get("out"));

        string modelPath = line.Positional[0];
        SavedModel saved = SafeTensorsImport.LoadModel(modelPath);
        if (saved.Model.AffineLayers.Any(l => l is not (Linear or SparseLinear)))
            throw new UsageException($"'{modelPath}' is already quantized ({saved.Metadata.GetValueOrDefault("stage", "not fp32")}); quantize the fp32 model");
        if (qat && saved.Model.AffineLayers.Any(l => l is not Linear))
            throw new UsageException($"--qat fine-tunes dense weights; '{modelPath}' is pruned — quantize it without --qat");
        Teacher[] teachers = qat ? PruneCommand.LoadTeachers(line, saved, modelPath) : [];
        var (train, test) = DataOptions.Load(line, saved.ClassNames);
        TrainCommand.CheckFits(saved.Model.Spec, train);
        saved.Standardizer?.Apply(train);
        saved.Standardizer?.Apply(test);
        Tensor calibration = train.Features.Slice(0, Math.Min(samples, train.Count));
        Tensor staticRows = options.Activations == ActivationMode.Static ? calibration : default;
        Mlp fp32 = saved.Model, int8 = PostTrainingQuantizer.Quantize(fp32, options, staticRows);
        Evaluation before = Evaluation.Run(fp32, test), after = Evaluation.Run(int8, test);
        double fp32Micros = InferenceLatency.MicrosecondsPerSample(fp32, test.Features);

        string how = options.Activations == ActivationMode.Dynamic ? "dynamic activations"
            : options.Calibration == CalibrationMethod.MinMax ? $"static activations, min-max over {calibration.Shape[0]} training rows"
            : string.Create(CultureInfo.InvariantCulture, $"static activations, {options.Percentile}th percentile over {calibration.Shape[0]} training rows");
        if (int8.AffineLayers.OfType<QuantizedChain>().FirstOrDefault() is { } chain)
            how += $", {chain.Depth} layers fused int8 → int8 (u8 activations between them)";
        output.WriteLine($"tinykd quantize: {modelPath} ({fp32.Spec}): int8 weights (7-bit, per output row), {how}{(options.KeepOutputLayerFp32 ? ", output layer fp32" : "")}");
        Report.Metrics(output, "fp32 test", before);
        Report.Metrics(output, qat ? "int8 test (post-training)" : "int8 test", after);
        if (qat)
        {
            int epochs = line.Int("epochs", 1);
            ulong seed = line.UInt64("seed");
            var training = new TrainingOptions { Epochs = epochs, BatchSize = line.Int("batch-size", 1), LearningRate = line.Float("lr", 1e-8f), Seed = seed };
            var (fit, validation) = train.Split(line.Float("validation", 0.01f, 0.5f), seed);
            output.WriteLine($"quantization-aware training: {epochs} epoch(s){(teachers.Length > 0 ? $" distilling from {teachers[0]}" : " on the labels")}");
            int8 = QuantizationAwareTrainer.Run(fp32, options, training, fit, validation, teachers, calibration: staticRows,
                progress: p =>
                {
                    if (p.EpochDone)
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  epoch {p.Epoch}/{p.Epochs}: loss {p.Loss:F4}{(p.ValidationAccuracy is { } v ? $", validation accuracy {v * 100:F2}%" : "")}"));
                });
            how += $", quantization-aware training {epochs} epoch(s)";
            after = Evaluation.Run(int8, test);
            Report.Metrics(output, "int8 test (quantization-aware)", after);
        }
        double int8Micros = InferenceLatency.MicrosecondsPerSample(int8, test.Features);
        ModelFile.Save(outPath, int8, saved.Standardizer, new Dictionary<string, string>
        {
            ["stage"] = "int8",
            ["quantized_from"] = modelPath,
            ["quantization"] = how,
            ["test_accuracy"] = after.Accuracy.ToString("R", CultureInfo.InvariantCulture),
        }, saved.ClassNames);
        long fp32Bytes = new FileInfo(modelPath).Length, bytes = new FileInfo(outPath).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {before.Accuracy * 100:F2}% → {after.Accuracy * 100:F2}% ({(after.Accuracy - before.Accuracy) * 100:+0.00;-0.00} pp); µs/sample at batch 1 {fp32Micros:F1} → {int8Micros:F1} ({fp32Micros / int8Micros:F2}×)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"saved {outPath} ({bytes:N0} bytes, {(double)bytes / fp32Bytes:F3}× the {fp32Bytes:N0} of {modelPath})"));
        return 0;
    }
}
