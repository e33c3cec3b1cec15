using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Pruning;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Quantization;

public sealed class QuantizationAwareTrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-qat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Eight features in [0, 1] and one, g, in [0, 0.05] that matters as much as they do, not standardised: to use g the
    // network needs weights ~20× the others', so each row's int8 scale is set by them and the other weights keep only a
    // few of their 7 bits. Three classes by a linear score with a margin band.
    private static Dataset MixedScales(int rows, ulong seed)
    {
        const int features = 9;
        float[] a = [0.9f, -0.7f, 0.8f, -1f, 0.6f, -0.5f, 0.75f, -0.85f];
        var x = new float[rows * features];
        new Rng(seed).FillUniform(x, 0, 1);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            double score = 1.5 * (x[r * features + 8] - 0.5);
            x[r * features + 8] *= 0.05f;
            for (int i = 0; i < 8; i++) score += a[i] * (x[r * features + i] - 0.5);
            labels[r] = score > 0.15 ? 2 : score < -0.15 ? 0 : 1;
        }
        return new Dataset(Tensor.FromArray(x, rows, features), labels, 3, "mixed-scales");
    }

    private static Mlp Trained(Dataset train)
    {
        var model = new Mlp(MlpSpec.Parse("9-32-32-3", dropout: 0f), new Rng(5));
        new Trainer(model, new TrainingOptions { Epochs = 30, LearningRate = 1e-2f, BatchSize = 64 }).Fit(train);
        return model;
    }

    private static Mlp Copy(Mlp model)
    {
        var copy = new Mlp(model.Spec, new Rng(0));
        foreach (var ((_, from), (_, to)) in model.NamedParameters().Zip(copy.NamedParameters()))
            from.Data.Span.CopyTo(to.Data.Span);
        return copy;
    }

    private static TrainingOptions FineTuning => new() { Epochs = 10, LearningRate = 1e-3f, BatchSize = 64, Seed = 9, AllowDivergence = true };

    [Theory]
    [InlineData(ActivationMode.Dynamic)]
    [InlineData(ActivationMode.Static)]
    public void Quantization_aware_training_recovers_accuracy_that_post_training_quantization_loses(ActivationMode mode)
    {
        Dataset train = MixedScales(4000, 1), test = MixedScales(4000, 2);
        Mlp model = Trained(train);
        var options = new QuantizationOptions(mode);
        Tensor calibration = mode == ActivationMode.Static ? train.Features.Slice(0, 1000) : default;
        double fp32 = Evaluation.Run(model, test).Accuracy;
        double ptq = Evaluation.Run(PostTrainingQuantizer.Quantize(model, options, calibration), test).Accuracy;
        // The fair control: the same fine-tuning budget spent in fp32, then post-training quantization.
        Mlp tuned = Copy(model);
        new Trainer(tuned, FineTuning).Fit(train);
        double tunedPtq = Evaluation.Run(PostTrainingQuantizer.Quantize(tuned, options, calibration), test).Accuracy;

        Mlp qat = QuantizationAwareTrainer.Run(Copy(model), options, FineTuning, train, calibration: calibration);
        double qatAccuracy = Evaluation.Run(qat, test).Accuracy;

        string figures = $"{mode}: fp32 {fp32:P2}, post-training int8 {ptq:P2}, fp32 fine-tuned then int8 {tunedPtq:P2}, quantization-aware int8 {qatAccuracy:P2}";
        output.WriteLine(figures);
        Assert.True(fp32 - ptq >= 0.02, $"the case must be one where post-training quantization loses: {figures}");
        Assert.True(qatAccuracy - Math.Max(ptq, tunedPtq) >= 0.01, $"quantization-aware training must win back ≥ 1 pp: {figures}");
    }

    [Fact]
    public void The_int8_model_holds_the_fine_tuned_weights_on_the_grid_and_the_static_ranges_the_training_saw()
    {
        Dataset train = PruningFixtures.Data(600, 12, 4);
        Mlp model = PruningFixtures.Model("12-16-4");
        Tensor calibration = train.Features.Slice(0, 200);
        var options = new QuantizationOptions(ActivationMode.Static);
        IReadOnlyList<ActivationQuantization> before = PostTrainingQuantizer.Calibrate(model, calibration, options);
        float[] original = ((Linear)model.AffineLayers[0]).Weight.Data.ToArray();
        var training = new TrainingOptions { Epochs = 2, LearningRate = 1e-2f, BatchSize = 32 };

        Mlp int8 = QuantizationAwareTrainer.Run(model, options, training, train, calibration: calibration);
        Mlp again = QuantizationAwareTrainer.Run(Copy(PruningFixtures.Model("12-16-4")), options, training, train, calibration: calibration);

        Assert.NotEqual(original, ((Linear)model.AffineLayers[0]).Weight.Data.ToArray());
        for (int l = 0; l < 2; l++)
        {
            QuantizedLinear layer = Assert.IsType<QuantizedChain>(Assert.Single(int8.AffineLayers)).Layers[l];
            Assert.Equal(before[l], layer.Activation);
            QuantizedLinear expected = QuantizedLinear.FromLinear((Linear)model.AffineLayers[l]);
            QuantizedLinear twin = ((QuantizedChain)again.AffineLayers[0]).Layers[l];
            for (int o = 0; o < layer.OutFeatures; o++)
            {
                Assert.Equal(expected.Weight.Scale(o), layer.Weight.Scale(o));
                Assert.Equal(layer.Weight.Scale(o), twin.Weight.Scale(o));
                for (int i = 0; i < layer.InFeatures; i++)
                {
                    Assert.Equal(expected.Weight[o, i], layer.Weight[o, i]);
                    Assert.Equal(layer.Weight[o, i], twin.Weight[o, i]);
                }
            }
        }
        // The simulated forward computes what the int8 model does, up to the order of the float sums.
        var simulated = new Mlp(model.Spec, model.AffineLayers.Select((l, i) => (Layer)new FakeQuantizedLinear((Linear)l, before[i])).ToList());
        Check.Close(Evaluation.PredictLogits(int8, train.Features, 4), Evaluation.PredictLogits(simulated, train.Features, 4), atol: 1e-4, rtol: 1e-4);
    }

    [Fact]
    public void Pruned_models_and_static_mode_without_calibration_are_refused()
    {
        Dataset train = PruningFixtures.Data(50, 6, 3);
        var training = new TrainingOptions { Epochs = 1 };
        Mlp model = PruningFixtures.Model("6-8-3");
        Check.Throws<ArgumentException>(() => QuantizationAwareTrainer.Run(model, new QuantizationOptions(ActivationMode.Static), training, train), "calibration rows");
        MagnitudePruner.Prune(model, 0.5);
        Mlp sparse = SparseServing.Convert(model, ServingLayout.Sparse);
        Check.Throws<ArgumentException>(() => QuantizationAwareTrainer.Run(sparse, new QuantizationOptions(), training, train), "SparseLinear", "dense fp32");
    }

    [Fact]
    public void Quantize_command_with_qat_distils_on_the_int8_grid_and_saves_the_quantization_aware_model()
    {
        string student = Path.Combine(_dir, "student.tkd"), teacher = Path.Combine(_dir, "teacher.tkd"), int8 = Path.Combine(_dir, "qat.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--dropout", "0", "--epochs", "1", "--out", student], TextWriter.Null));
        Assert.Equal(0, TrainCommand.Run(["--model", "784-64-10", "--dropout", "0", "--epochs", "1", "--out", teacher], TextWriter.Null));
        var printed = new StringWriter();

        Assert.Equal(0, QuantizeCommand.Run([student, "--qat", "--teacher", teacher, "--epochs", "1", "--out", int8], printed));

        string text = printed.ToString();
        Assert.Contains("int8 test (post-training):", text);
        Assert.Contains($"quantization-aware training: 1 epoch(s) distilling from", text);
        Assert.Contains("epoch 1/1: loss", text);
        SavedModel saved = ModelFile.Load(int8);
        Assert.All(saved.Model.AffineLayers, l => Assert.IsType<QuantizedLinear>(l));
        Assert.Contains("quantization-aware training 1 epoch(s)", saved.Metadata["quantization"]);
        var evalOutput = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([int8], evalOutput));
        string qatLine = text.Split('\n').First(l => l.StartsWith("int8 test (quantization-aware):", StringComparison.Ordinal));
        string evalLine = evalOutput.ToString().Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
        Assert.Equal(evalLine["test:".Length..], qatLine["int8 test (quantization-aware):".Length..]);
        Assert.Contains("add --qat", Assert.Throws<UsageException>(() => QuantizeCommand.Run([student, "--epochs", "2"], TextWriter.Null)).Message);
    }
}
