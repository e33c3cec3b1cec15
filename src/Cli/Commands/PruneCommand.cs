using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd prune MODEL --sparsity S --out P.tkd</c>: magnitude-prunes a saved dense model — one-shot or gradually
/// (Zhu &amp; Gupta's cubic schedule), in 8×1 blocks or single weights, or structurally by whole hidden neurons —
/// fine-tunes it (distilling from --teacher when given), converts it to its served form (sparse layers where this
/// machine runs them faster), scores it on the test split and saves it.
/// </summary>
public static class PruneCommand
{
    private static readonly OptionSpec[] Options =
    [
        new("sparsity", "S", "fraction of the pruned layers' weights to remove (with --structured: of each hidden layer's neurons), in [0, 1)"),
        new("schedule", "KIND", "one-shot (prune, then fine-tune) or gradual (cubic schedule, fine-tuning between steps)", "one-shot"),
        new("steps", "N", "pruning steps of the gradual schedule (one epoch of fine-tuning after each)", "3"),
        new("structured", null, "remove whole hidden neurons by weight norm: a smaller dense model"),
        new("granularity", "KIND", "block (8×1 blocks of output channels, the sparse kernels' layout) or element", "block"),
        new("threshold", "KIND", "global (one magnitude threshold for all pruned layers) or layer (each loses the same fraction)", "global"),
        new("prune-output", null, "prune the output layer too (kept dense by default)"),
        new("layout", "KIND", "served form of each pruned layer: measured (sparse where this machine's crossover says so) or sparse", "measured"),
        new("teacher", "FILE", "distil from this teacher (.tkd) while fine-tuning; labels only when absent"),
        new("epochs", "N", "fine-tuning epochs in all (gradual: at least --steps)", "4"),
        new("batch-size", "N", "samples per step", "128"),
        new("lr", "RATE", "Adam's base learning rate for fine-tuning (cosine schedule per stage)", "0.0005"),
        new("validation", "FRACTION", "hold out this fraction of the training data for validation", "0.1"),
        new("seed", "N", "seed of the split and the batch order", "1"),
        .. DataOptions.All,
        new("out", "FILE", "where to save the pruned model", "pruned.tkd"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd prune MODEL --sparsity S [options]",
                "Magnitude-prunes a saved dense model, fine-tunes it, prints test metrics and saves its served (sparse) form.", Options));
            return 0;
        }
        if (line.Positional.Count != 1) throw new UsageException("prune needs exactly one model file, e.g. tinykd prune student.tkd --sparsity 0.9");
        double sparsity = line.Float("sparsity", 0f, 0.999f);
        bool gradual = line.Choice("schedule", "one-shot", "gradual") == "gradual";
        bool structured = line.Flag("structured");
        if (structured && gradual) throw new UsageException("--structured prunes once; it has no gradual schedule");
        var options = new PruningOptions(
            line.Choice("granularity", "block", "element") == "block" ? PruningGranularity.Block : PruningGranularity.Element,
            line.Choice("threshold", "global", "layer") == "global" ? ThresholdScope.Global : ThresholdScope.PerLayer,
            line.Flag("prune-output"));
        ServingLayout layout = line.Choice("layout", "measured", "sparse") == "sparse" ? ServingLayout.Sparse : ServingLayout.Measured;
        int epochs = line.Int("epochs", 0), steps = gradual ? line.Int("steps", 1) : 1;
        if (gradual && epochs < steps) throw new UsageException($"--epochs {epochs} is fewer than the {steps} gradual pruning steps (one epoch after each)");
        ulong seed = line.UInt64("seed");
        var training = new TrainingOptions { BatchSize = line.Int("batch-size", 1), LearningRate = line.Float("lr", 1e-8f), Seed = seed };
        string outPath = OutputPath.File("out", line.Get("out"));

        string modelPath = line.Positional[0];
        SavedModel saved = SafeTensorsImport.LoadModel(modelPath);
        if (saved.Model.AffineLayers.Any(l => l is not Linear))
            throw new UsageException($"'{modelPath}' is already compressed ({saved.Metadata.GetValueOrDefault("stage", "not fp32")}); prune the dense model");
        Teacher[] teachers = LoadTeachers(line, saved, modelPath);
        var (train, test) = DataOptions.Load(line, saved.ClassNames);
        TrainCommand.CheckFits(saved.Model.Spec, train);
        saved.Standardizer?.Apply(train);
        saved.Standardizer?.Apply(test);
        var (fit, validation) = train.Split(line.Float("validation", 0.01f, 0.5f), seed);

        Mlp dense = saved.Model, served;
        string summary;
        if (structured)
        {
            Mlp smaller = NeuronPruner.Prune(dense, sparsity);
            if (epochs > 0) GradualPruner.Run(smaller, options, new PruningSchedule(0, 1, 0, epochs), training, fit, validation, teachers);
            served = smaller;
            summary = $"structured: {dense.Spec} → {smaller.Spec}";
        }
        else
        {
            var schedule = gradual ? new PruningSchedule(sparsity, steps, 1, epochs - steps) : new PruningSchedule(sparsity, 1, 0, epochs);
            PruningMask mask = GradualPruner.Run(dense, options, schedule, training, fit, validation, teachers, progress: (k, s) =>
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pruning step {k}/{schedule.Steps}: sparsity {s:P1}")));
            served = SparseServing.Convert(dense, layout);
            summary = string.Create(CultureInfo.InvariantCulture, $"{(gradual ? $"gradual ({steps} steps)" : "one-shot")} {options.Granularity.ToString().ToLowerInvariant()} {options.Scope} pruning to {mask.Sparsity:P1} of the pruned layers");
        }
        output.WriteLine($"tinykd prune: {modelPath} ({dense.Spec}): {summary}; {epochs} fine-tuning epoch(s){(teachers.Length > 0 ? $" distilling from {teachers[0]}" : "")}");
        foreach (var (layer, i) in served.AffineLayers.Select((l, i) => (l, i)))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  layer {i}: {((IAffineLayer)layer).InFeatures}→{((IAffineLayer)layer).OutFeatures} {(layer is SparseLinear s ? $"sparse, {s.Weight.Sparsity:P1} zeros" : "dense")}, {((IAffineLayer)layer).StoredParameters:N0} stored parameters"));
        var evaluation = Evaluation.Run(served, test);
        Report.Metrics(output, "test", evaluation);
        ModelFile.Save(outPath, served, saved.Standardizer, new Dictionary<string, string>
        {
            ["stage"] = "pruned",
            ["pruned_from"] = modelPath,
            ["pruning"] = summary,
            ["epochs"] = epochs.ToString(CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["test_accuracy"] = evaluation.Accuracy.ToString("R", CultureInfo.InvariantCulture),
        }, saved.ClassNames);
        long denseBytes = new FileInfo(modelPath).Length, bytes = new FileInfo(outPath).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"saved {outPath} ({bytes:N0} bytes, {(double)bytes / denseBytes:F3}× the {denseBytes:N0} of {modelPath}); {served.StoredParameterCount():N0} stored parameters of {dense.ParameterCount():N0}"));
        return 0;
    }

    /// <summary>The teacher named by <c>--teacher</c> (none when absent), checked to take the same standardised inputs as the model.</summary>
    internal static Teacher[] LoadTeachers(CommandLine line, SavedModel model, string modelPath)
    {
        if (line.Get("teacher") is not { } teacherPath) return [];
        SavedModel teacher = SafeTensorsImport.LoadModel(teacherPath);
        if (!SameStandardizer(teacher.Standardizer, model.Standardizer))
            throw new UsageException($"teacher '{teacherPath}' and '{modelPath}' were trained with different input standardisation");
        return [Teacher.FromModel(teacher.Model, teacherPath)];
    }

    private static bool SameStandardizer(Standardizer? a, Standardizer? b) =>
        a is null == b is null && (a is null || (a.Mean.SequenceEqual(b!.Mean) && a.Std.SequenceEqual(b.Std)));
}
