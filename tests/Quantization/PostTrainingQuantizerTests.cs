using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Pruning;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Quantization;

public sealed class PostTrainingQuantizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-ptq-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Static_ranges_are_each_layers_observed_input_range_and_percentiles_trim_outliers()
    {
        Mlp model = PruningFixtures.Model("12-9-7-4");
        Tensor rows = Check.Random(2, -3, 5, 50, 12);
        rows.Span[7] = 40f;
        var minMax = PostTrainingQuantizer.Calibrate(model, rows, new QuantizationOptions(ActivationMode.Static));
        var trimmed = PostTrainingQuantizer.Calibrate(model, rows, new QuantizationOptions(ActivationMode.Static, CalibrationMethod.Percentile, 99));

        // Each layer's input: the rows, then the ReLU outputs of the layers before it.
        var inputs = new List<float[]>();
        using (GradMode.NoGrad())
        {
            Variable v = new Graph(evaluationMode: true).Input(rows);
            for (int i = 0; i < model.Count; i++)
            {
                if (model[i] is IAffineLayer) inputs.Add(v.Data.ToArray());
                v = model[i].Forward(v);
            }
        }
        Assert.Equal(3, minMax.Count);
        for (int l = 0; l < 3; l++)
            Assert.Equal(ActivationQuantization.FromRange(inputs[l].Min(), inputs[l].Max()), minMax[l]);
        Assert.Equal(ActivationQuantization.FromRange(inputs[0].Min(), 40f), minMax[0]);
        Assert.True(trimmed[0].Scale < minMax[0].Scale / 4, $"{trimmed[0]} vs {minMax[0]}: the 99th percentile drops the outlier 40");
    }

    [Fact]
    public void Quantizing_keeps_the_fp32_models_predictions_and_composes_with_pruning()
    {
        Mlp model = PruningFixtures.Model("40-32-10");
        Tensor x = Check.Random(8, -1, 1, 200, 40);
        float[] fp32 = Evaluation.PredictLogits(model, x, 10);
        foreach (var options in new[]
        {
            new QuantizationOptions(), new QuantizationOptions(ActivationMode.Static, FuseStaticChains: false),
            new QuantizationOptions(ActivationMode.Static, CalibrationMethod.Percentile, 99.9, KeepOutputLayerFp32: true, FuseStaticChains: false),
        })
        {
            Mlp int8 = PostTrainingQuantizer.Quantize(model, options, x);
            Assert.IsType<QuantizedLinear>(int8.AffineLayers[0]);
            Assert.IsType(options.KeepOutputLayerFp32 ? typeof(Linear) : typeof(QuantizedLinear), int8.AffineLayers[1]);
            Assert.Equal(options.Activations == ActivationMode.Static, ((QuantizedLinear)int8.AffineLayers[0]).Activation is not null);
            float[] logits = Evaluation.PredictLogits(int8, x, 10);
            Assert.True(Agreement(fp32, logits) >= 0.95, $"{options}: {Agreement(fp32, logits):P1} of the argmaxes agree");
        }

        MagnitudePruner.Prune(model, 0.75);
        Mlp sparse = SparseServing.Convert(model, ServingLayout.Sparse);
        Mlp pruned8 = PostTrainingQuantizer.Quantize(sparse, new QuantizationOptions());
        Assert.IsType<SparseQuantizedLinear>(pruned8.AffineLayers[0]);
        Assert.True(Agreement(Evaluation.PredictLogits(sparse, x, 10), Evaluation.PredictLogits(pruned8, x, 10)) >= 0.95);
    }

    [Fact]
    public void Bad_calibration_is_refused_with_what_is_wrong()
    {
        Mlp model = PruningFixtures.Model("6-4-3");
        Check.Throws<ArgumentException>(() => PostTrainingQuantizer.Quantize(model, new QuantizationOptions(ActivationMode.Static)), "calibration rows");
        Check.Throws<ArgumentException>(() => PostTrainingQuantizer.Quantize(model, new QuantizationOptions(ActivationMode.Static), Tensor.Zeros(5, 7)), "[5, 7]", "6 inputs");
        Check.Throws<ArgumentException>(() => PostTrainingQuantizer.Quantize(model, new QuantizationOptions(ActivationMode.Static, CalibrationMethod.Percentile, 40), Tensor.Zeros(5, 6)), "percentile");
        Tensor nan = Tensor.Zeros(2, 6);
        nan.Span[3] = float.NaN;
        Check.Throws<ArgumentException>(() => PostTrainingQuantizer.Quantize(model, new QuantizationOptions(ActivationMode.Static), nan), "NaN");
        Mlp int8 = PostTrainingQuantizer.Quantize(model, new QuantizationOptions());
        Check.Throws<ArgumentException>(() => PostTrainingQuantizer.Quantize(int8, new QuantizationOptions()), "QuantizedLinear");
    }

    [Fact]
    public void Quantize_command_saves_an_int8_model_a_quarter_of_the_size_that_eval_scores_the_same()
    {
        string model = Path.Combine(_dir, "student.tkd"), int8 = Path.Combine(_dir, "int8.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--dropout", "0", "--epochs", "1", "--out", model], TextWriter.Null));
        var output = new StringWriter();

        Assert.Equal(0, QuantizeCommand.Run([model, "--mode", "static", "--range", "percentile", "--calibration", "300", "--out", int8], output));

        SavedModel saved = ModelFile.Load(int8);
        Assert.Equal(2, Assert.IsType<QuantizedChain>(Assert.Single(saved.Model.AffineLayers)).Depth);
        Assert.NotNull(saved.Standardizer);
        Assert.InRange((double)new FileInfo(int8).Length / new FileInfo(model).Length, 0.2, 0.3);
        Assert.Contains("static activations, 99.99th percentile over 300 training rows", output.ToString());
        var evalOutput = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([int8], evalOutput));
        string int8Line = output.ToString().Split('\n').First(l => l.StartsWith("int8 test:", StringComparison.Ordinal));
        string evalLine = evalOutput.ToString().Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
        Assert.Equal(evalLine, int8Line["int8 ".Length..]);
        Assert.Contains(int8, Assert.Throws<UsageException>(() => QuantizeCommand.Run([int8, "--out", Path.Combine(_dir, "twice.tkd")], TextWriter.Null)).Message);
    }

    [Theory]
    [InlineData(new[] { "m.tkd", "--mode", "fixed" }, "--mode")]
    [InlineData(new[] { "m.tkd", "--range", "mse" }, "--range")]
    [InlineData(new[] { "m.tkd", "--percentile", "20" }, "--percentile")]
    [InlineData(new[] { "m.tkd", "--calibration", "0" }, "--calibration")]
    [InlineData(new[] { "a.tkd", "b.tkd" }, "exactly one model")]
    [InlineData(new[] { " " }, "MODEL")]
    public void Bad_arguments_are_usage_errors_naming_them(string[] args, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<UsageException>(() => QuantizeCommand.Run(args, TextWriter.Null)).Message);

    private static double Agreement(float[] a, float[] b)
    {
        int rows = a.Length / 10, same = 0;
        for (int r = 0; r < rows; r++)
            if (ArgMax(a.AsSpan(r * 10, 10)) == ArgMax(b.AsSpan(r * 10, 10))) same++;
        return (double)same / rows;
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
