using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd distill</c>: trains a student MLP from one or more frozen teachers (saved models or precomputed
/// logits) with soft targets, logit matching and/or a hint, scores it on the test split and saves it.
/// </summary>
public static class DistillCommand
{
    private static readonly OptionSpec[] Options =
    [
        new("teacher", "FILE", "a teacher model (.tkd, or a PyTorch MLP as .safetensors: docs/interop.md); repeat for several teachers"),
        new("teacher-logits", "FILE", "a teacher's logits for every training image (then every --unlabelled image), float32 [N, C] .npy; repeatable"),
        new("teacher-weights", "W,W,...", "weights of the teachers in the order given (models first, then logits)"),
        new("student", "SIZES", "the student's hidden widths (128), or all its widths input to output (784-128-10; 3 or more)", "128"),
        new("temperature", "T", "softmax temperature T > 0, or a schedule linear:8:1 / cosine:8:1", "4"),
        new("alpha", "A", "weight of the soft targets against the labels, in [0, 1], or a schedule", "0.9"),
        new("logit-weight", "W", "weight of logit matching, MSE(student, teacher logits)", "0"),
        new("hint-layers", "I:J", "FitNets hint: teacher hidden layer I and student hidden layer J (1-based)"),
        new("hint-weight", "W", "weight of the hint loss", "1"),
        new("search", null, "train one student per T in {1,2,4,8} and α in {0.1,0.5,0.9}; keep the best on validation"),
        new("epochs", "N", "passes over the transfer set", "20"),
        new("batch-size", "N", "samples per step", "128"),
        new("lr", "RATE", "Adam's base learning rate (cosine schedule)", "0.001"),
        new("validation", "FRACTION", "hold out this fraction of the labelled training data for validation", "0.1"),
        new("patience", "N", "stop after N epochs without a better validation accuracy (0 = off)", "0"),
        DataOptions.Split,
        DataOptions.KeepBest,
        new("augment", null, "shift each training image by up to ±2 pixels (the teachers then run on the shifted images)"),
        DeviceOption.Option,
        new("labelled", "N", "keep the labels of N training images only; the others are an unlabelled transfer set (0 = all)", "0"),
        new("omit-class", "K", "leave class K out of the transfer set (Hinton's demonstration), then report the student's recall on K"),
        new("checkpoint", "FILE", "write a checkpoint after every epoch"),
        new("resume", null, "continue from --checkpoint when it exists"),
        new("seed", "N", "seed of the student, the splits and the batch order", "1"),
        .. DataOptions.All,
        DataOptions.PositiveClass,
        .. UnlabelledData.All,
        DataOptions.Standardize,
        new("out", "FILE", "where to save the student", "student.tkd"),
        DivergenceReport.Option,
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd distill --teacher T.tkd [options]",
                "Distils a student MLP from frozen teachers on Fashion-MNIST or your own CSV/.npy data, prints test metrics and saves the student.", Options));
            return 0;
        }
        if (line.Positional.Count > 0) throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        var teacherFiles = line.GetAll("teacher");
        var logitFiles = line.GetAll("teacher-logits");
        if (teacherFiles.Count + logitFiles.Count == 0) throw new UsageException("give at least one --teacher FILE or --teacher-logits FILE");
        float[] weights = ParseWeights(line.Get("teacher-weights"), teacherFiles.Count + logitFiles.Count);
        DistillationOptions distillation = ParseDistillation(line);
        ulong seed = line.UInt64("seed");
        int labelled = line.Int("labelled", 0);
        int? omitted = line.Get("omit-class") is null ? null : line.Int("omit-class", 0);
        var training = new TrainingOptions
        {
            Epochs = line.Int("epochs", 1),
            BatchSize = line.Int("batch-size", 1),
            LearningRate = line.Float("lr", 1e-8f),
            Patience = line.Int("patience", 0),
            Seed = seed,
            CheckpointPath = line.Get("checkpoint") is { } checkpoint ? OutputPath.File("checkpoint", checkpoint) : null,
            Resume = line.Flag("resume"),
            AllowDivergence = line.Flag("allow-divergence"),
            RestoreBestWeights = line.Flag("keep-best"),
        };
        if (training.Resume && training.CheckpointPath is null) throw new UsageException("--resume needs --checkpoint FILE");
        string outPath = OutputPath.File("out", line.Get("out"));

        var teacherModels = teacherFiles.Select(SafeTensorsImport.LoadModel).ToList();
        LoadedData data = DataOptions.Load(line);
        var (train, test) = (data.Train, data.Test);
        MlpSpec studentSpec = DataOptions.Spec("student", line.Get("student")!, train, Activation.Relu, 0f);
        int? positiveClass = DataOptions.PositiveClassOf(line, train);
        StandardizationMode? mode = DataOptions.Standardization(line, data);
        Dataset? extra = UnlabelledData.Load(line, data);
        Standardizer? fromTeachers = CommonStandardizer(teacherModels, teacherFiles);
        Standardizer? standardizer = fromTeachers ?? (mode is { } m ? Standardizer.Fit(train, m) : null);
        string standardization = fromTeachers is null ? DataOptions.Describe(mode)
            : $"{DataOptions.Describe(fromTeachers.IsPerFeature ? StandardizationMode.PerFeature : StandardizationMode.Global)} as the teachers' inputs were";
        if (standardizer is not null)
        {
            standardizer.Apply(train);
            standardizer.Apply(test);
            if (extra is not null) standardizer.Apply(extra);
        }
        foreach (var (model, file) in teacherModels.Zip(teacherFiles)) CheckFits(model.Model.Spec, train, $"teacher '{file}'");
        if (omitted is { } k && (k >= train.Classes)) throw new UsageException($"--omit-class {k}: the data has classes 0..{train.Classes - 1}");

        // Row indices refer to the pool: the training file's rows, then the --unlabelled file's, so precomputed
        // logits (one row per pool row, in that order) can follow them.
        Dataset pool = extra is null ? train : train.Append(extra, "training+unlabelled");
        // Training rows without a label (--missing-label) are transfer rows only: never labelled, never validation.
        int[] withLabels = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] != Dataset.Unlabelled).ToArray();
        int[] labelledRows = labelled > 0 ? TakeLabelled(withLabels, labelled, seed) : withLabels;
        var (fitRows, validationRows) = DataOptions.SplitRows(line, train.Subset(labelledRows), line.Float("validation", 0.01f, 0.5f), seed);
        int[] validationSet = validationRows.Select(i => labelledRows[i]).ToArray();
        var excluded = new HashSet<int>(validationSet);
        int[] transferRows = Enumerable.Range(0, pool.Count)
            .Where(r => !excluded.Contains(r) && !(omitted is { } c && pool.Labels[r] == c)).ToArray();
        var keepLabels = new HashSet<int>(fitRows.Select(i => labelledRows[i]));
        int[] keepPositions = transferRows.Select((r, i) => (r, i)).Where(p => keepLabels.Contains(p.r)).Select(p => p.i).ToArray();
        Dataset transfer = pool.Subset(transferRows, "transfer").WithLabelsOnly(keepPositions, "transfer");
        Dataset validation = train.Subset(validationSet, "validation");

        var teachers = new List<Teacher>();
        for (int i = 0; i < teacherModels.Count; i++) teachers.Add(Teacher.FromModel(teacherModels[i].Model, teacherFiles[i], weights[i]));
        for (int i = 0; i < logitFiles.Count; i++)
            teachers.Add(LogitsTeacher(logitFiles[i], weights[teacherModels.Count + i], pool, transferRows));
        if (line.Flag("augment"))
        {
            if (!data.Images) throw new UsageException("--augment shifts 28×28 images; it does not apply to CSV or .npy data");
            if (standardizer is null || standardizer.IsPerFeature) throw new UsageException($"--augment needs global input standardisation; the data are {standardization}");
            training = training with { Augmentation = new ImageAugmentation(28, 28, 2, standardizer.Transform(0f)) };
        }

        using var device = DeviceOption.Open(line);
        ICompute backend = DeviceOption.Backend(device);
        foreach (var (saved, file) in teacherModels.Zip(teacherFiles))
        {
            try
            {
                saved.Model.To(backend); // the teachers run where the student trains: their logits and shifted batches stay there
            }
            catch (NotSupportedException e)
            {
                throw new UsageException($"--device {line.Get("device")}: teacher '{file}': {e.Message}");
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tinykd distill: student {studentSpec} from {string.Join(", ", teachers)}; {transfer.Count:N0} transfer samples ({transfer.LabelledCount:N0} labelled), {validation.Count:N0} validation, {test.Count:N0} test; {standardization}"));
        if (device is not null) output.WriteLine($"distilling on {device.Name} ({device.DeviceName})");
        var bar = new ProgressBar(output, live: !Console.IsErrorRedirected);
        var started = DateTime.UtcNow;
        using Distiller run = line.Flag("search")
            ? Search(output, studentSpec, teachers, distillation, training, transfer, validation, seed, backend)
            : Distil(studentSpec, teachers, distillation, training, transfer, validation, seed, backend, bar.Report);
        foreach (SavedModel saved in teacherModels) saved.Model.Dispose(); // their device copies are done with
        Mlp student = run.Student;
        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        DivergenceReport.Warn(run.Trainer.Divergence, outPath);

        string kept = SplitsFile.KeptEpoch(run.Trainer.BestEpoch, null);
        output.WriteLine($"kept the weights of {kept}");
        var evaluation = Evaluation.Run(student, test);
        Report.Metrics(output, "test", evaluation, positiveClass);
        if (omitted is { } omit)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"class {omit} ({Report.ClassNames(test)[omit]}) was left out of the transfer set, so the student never saw one: it recognises it with recall {evaluation.Scores.Recall[omit] * 100:F1}% and precision {evaluation.Scores.Precision[omit] * 100:F1}%, from what the soft targets said about the other images"));
        student.To(CpuCompute.Default);
        ModelFile.Save(outPath, student, standardizer, new Dictionary<string, string>
        {
            ["stage"] = "distilled",
            ["teachers"] = string.Join("; ", teachers),
            ["distillation"] = distillation.ToString(),
            ["epochs"] = training.Epochs.ToString(CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["test_accuracy"] = evaluation.Accuracy.ToString("R", CultureInfo.InvariantCulture),
            ["kept_epoch"] = kept,
        }.WithDivergence(run.Trainer.Divergence), train.ClassNames);
        string splits = SplitsFile.Write(outPath, data.Train, test, seed, line.Get("split")!.ToLowerInvariant(), new Dictionary<string, int[]>
        {
            ["transfer"] = transferRows,
            ["transfer_labelled"] = keepPositions.Select(i => transferRows[i]).ToArray(),
            ["validation"] = validationSet,
        });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote the row indices of each split to {splits}; distilled in {seconds:F1} s; saved {outPath} ({new FileInfo(outPath).Length:N0} bytes)"));
        return 0;
    }

    // The student is built on the CPU from the seed, then moved: the same initial weights on every device.
    private static Distiller Distil(MlpSpec spec, List<Teacher> teachers, DistillationOptions distillation, TrainingOptions training,
        Dataset transfer, Dataset validation, ulong seed, ICompute backend, Action<TrainingProgress>? progress)
    {
        try
        {
            var student = new Mlp(spec, new Rng(seed));
            student.To(backend);
            var distiller = new Distiller(student, teachers, distillation, training);
            distiller.Fit(transfer, validation, progress);
            return distiller;
        }
        catch (ArgumentException e) when (e.ParamName is "options" or "teachers")
        {
            throw new UsageException(Messages.Plain(e));
        }
    }

    private static Distiller Search(TextWriter output, MlpSpec spec, List<Teacher> teachers, DistillationOptions distillation, TrainingOptions training,
        Dataset transfer, Dataset validation, ulong seed, ICompute backend)
    {
        Distiller? best = null;
        double bestAccuracy = -1;
        output.WriteLine("  T     α     validation accuracy");
        foreach (float t in DistillationOptions.SearchTemperatures)
            foreach (float a in DistillationOptions.SearchAlphas)
            {
                var options = distillation with { Temperature = ParameterSchedule.Constant(t), Alpha = ParameterSchedule.Constant(a) };
                Distiller? run = Distil(spec, teachers, options, training with { CheckpointPath = null, Resume = false }, transfer, validation, seed, backend, null);
                double accuracy = Evaluation.Run(run.Student, validation).Accuracy;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t,-5} {a,-5} {accuracy * 100:F2}%"));
                if (accuracy > bestAccuracy) (best, bestAccuracy, run) = (run, accuracy, best);
                if (run is not null) Release(run); // the run that is not (or no longer) the best
            }
        return best!;
    }

    // Releases a search run's device memory: its optimizer state, graph and student.
    private static void Release(Distiller run)
    {
        run.Dispose();
        run.Student.Dispose();
    }

    private static int[] TakeLabelled(int[] withLabels, int labelled, ulong seed)
    {
        if (labelled >= withLabels.Length) throw new UsageException($"--labelled {labelled} must be below the {withLabels.Length} training samples with a label");
        var order = (int[])withLabels.Clone();
        new Rng(Rng.Hash(seed, 0x4C4142454C, 0)).Shuffle<int>(order);
        int[] kept = order[..labelled];
        Array.Sort(kept);
        return kept;
    }

    // The logits file holds one row per pool row (training images, then --unlabelled ones); the transfer set uses some.
    private static Teacher LogitsTeacher(string path, float weight, Dataset pool, int[] transferRows)
    {
        Teacher all = Teacher.FromNpy(path, weight);
        if (all.Rows != pool.Count || all.Classes != pool.Classes)
            throw new InvalidDataException(
                $"Teacher logits '{path}' are [{all.Rows}, {all.Classes}] but the training data '{pool.Name}' is {pool.Count} samples of {pool.Classes} classes; they must be [{pool.Count}, {pool.Classes}] in the data's order.");
        return all.SelectRows(transferRows);
    }

    private static Standardizer? CommonStandardizer(List<SavedModel> teachers, IReadOnlyList<string> files)
    {
        Standardizer? first = teachers.FirstOrDefault()?.Standardizer;
        for (int i = 1; i < teachers.Count; i++)
        {
            Standardizer? s = teachers[i].Standardizer;
            if (s is null != first is null || (s is not null && (!s.Mean.SequenceEqual(first!.Mean) || !s.Std.SequenceEqual(first.Std))))
                throw new UsageException($"teachers '{files[0]}' and '{files[i]}' were trained with different input standardisation");
        }
        return first;
    }

    private static void CheckFits(MlpSpec spec, Dataset data, string what)
    {
        if (spec.InputSize != data.FeatureCount || spec.OutputSize != data.Classes)
            throw new UsageException($"{what} is {spec} but the data has {data.FeatureCount} features and {data.Classes} classes");
    }

    private static float[] ParseWeights(string? raw, int teachers)
    {
        if (raw is null) return Enumerable.Repeat(1f, teachers).ToArray();
        string[] parts = raw.Split(',');
        var weights = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out weights[i]) || !(weights[i] > 0f) || !float.IsFinite(weights[i]))
                throw new UsageException($"option '--teacher-weights': '{parts[i]}' is not a positive number");
        if (weights.Length != teachers) throw new UsageException($"option '--teacher-weights' has {weights.Length} weights for {teachers} teachers");
        return weights;
    }

    private static DistillationOptions ParseDistillation(CommandLine line)
    {
        (int, int)? hint = null;
        if (line.Get("hint-layers") is { } raw)
        {
            string[] p = raw.Split(':');
            if (p.Length != 2 || !int.TryParse(p[0], CultureInfo.InvariantCulture, out int ti) || !int.TryParse(p[1], CultureInfo.InvariantCulture, out int si))
                throw new UsageException($"option '--hint-layers' must be I:J (teacher:student hidden layers); got '{raw}'");
            hint = (ti, si);
        }
        var options = new DistillationOptions
        {
            Temperature = Schedule(line, "temperature"),
            Alpha = Schedule(line, "alpha"),
            LogitMatchingWeight = line.Float("logit-weight", 0f),
            HintLayers = hint,
            HintWeight = hint is null ? 0f : line.Float("hint-weight", 0f),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName switch { "Alpha" => "alpha", "Temperature" => "temperature", _ => "hint-weight" };
            throw new UsageException($"option '--{option}': {Messages.Plain(e)}");
        }
        return options;
    }

    private static ParameterSchedule Schedule(CommandLine line, string name)
    {
        try
        {
            return ParameterSchedule.Parse(line.Get(name)!);
        }
        catch (FormatException e)
        {
            throw new UsageException($"option '--{name}': {e.Message}");
        }
    }
}
