using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Microsoft.ML.OnnxRuntime;
using TinyKd.Autograd.Nn;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Interop;

// tinykd's ONNX export run by ONNX Runtime (test-only package): the same logits as TinyKd's forward to 1e-5 for every
// activation, odd widths, batch 1 and 37, with the input standardisation inside the graph and the optional softmax;
// a model trained on the Fashion-MNIST sample on real images; pruned models as their dense twins (int8 ones:
// OnnxInt8ExportTests); the same bytes for the same model; the command's options and errors.
public sealed class OnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] RunOnnx(byte[] onnx, Tensor x, string outputName = "logits") => OnnxRuntimeRunner.Run(onnx, x, outputName);

    private void Compare(float[] expected, float[] actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i]));
            worst = Math.Max(worst, error);
            Assert.True(error <= tolerance, $"{what}: element {i} is {actual[i]} in ONNX Runtime, {expected[i]} in TinyKd");
        }
        output.WriteLine($"{what}: worst |ORT − TinyKd| / max(1, |TinyKd|) = {worst:G3}");
    }

    public static TheoryData<Activation, int> ActivationsAndBatches()
    {
        var data = new TheoryData<Activation, int>();
        foreach (Activation activation in Enum.GetValues<Activation>())
            foreach (int batch in (int[])[1, 37])
                data.Add(activation, batch);
        return data;
    }

    [Theory, MemberData(nameof(ActivationsAndBatches))]
    public void Onnx_runtime_gives_tinykds_logits_for_every_activation(Activation activation, int batch)
    {
        var model = new Mlp(MlpSpec.Parse("7-13-9-5", activation, 0.3f), new Rng(11));
        Tensor x = Check.Random(3, -2, 2, batch, 7);

        float[] onnx = RunOnnx(OnnxExport.Serialize(model), x);

        Compare(Evaluation.PredictLogits(model, x, 5), onnx, $"{activation} b{batch}");
    }

    [Fact]
    public void Bias_less_layers_export_as_two_input_gemms_and_a_changed_weight_shows_in_the_comparison()
    {
        var rng = new Rng(6);
        var model = new Mlp(MlpSpec.Parse("7-5-3"), [new Linear(7, 5, rng, bias: false), new Linear(5, 3, rng)]);
        Tensor x = Check.Random(9, -2, 2, 11, 7);
        byte[] onnx = OnnxExport.Serialize(model);
        Compare(Evaluation.PredictLogits(model, x, 3), RunOnnx(onnx, x), "bias-less first layer");

        // The comparison can fail: after one weight moves, the old export no longer gives TinyKd's logits.
        ((Linear)model.AffineLayers[0]).Weight.Data.Span[3] += 0.5f;
        float[] moved = Evaluation.PredictLogits(model, x, 3), old = RunOnnx(onnx, x);
        Assert.True(moved.Zip(old, (a, b) => Math.Abs(a - b)).Max() > 1e-3, "a changed weight went unnoticed");
        Assert.NotEqual(onnx, OnnxExport.Serialize(model));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_standardisation_runs_inside_the_graph_and_softmax_is_a_second_output(bool perFeature)
    {
        var model = new Mlp(MlpSpec.Parse("6-8-4"), new Rng(5));
        var standardizer = perFeature
            ? new Standardizer([0.5f, -1f, 2f, 0f, 3f, 1f], [2f, 0.5f, 1f, 4f, 1f, 3f])
            : new Standardizer([0.25f], [3f]);
        Tensor raw = Check.Random(8, -5, 5, 9, 6);
        byte[] onnx = OnnxExport.Serialize(model, standardizer, softmax: true);

        Tensor standardised = Tensor.FromArray(raw.ToArray(), 9, 6);
        standardizer.Apply(standardised);
        Compare(Evaluation.PredictLogits(model, standardised, 4), RunOnnx(onnx, raw), $"standardised ({(perFeature ? "per feature" : "global")})");
        Compare(Evaluation.Predict(model, standardised, 4), RunOnnx(onnx, raw, "probabilities"), "probabilities");
    }

    [Fact]
    public void A_model_trained_on_the_sample_predicts_the_same_on_real_images_and_exports_the_same_bytes()
    {
        var (train, test) = FashionMnistSample.Load();
        Standardizer standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        var model = new Mlp(MlpSpec.Parse("784-64-10"), new Rng(2));
        new Trainer(model, new TrainingOptions { Epochs = 1 }).Fit(train);
        string path = Path.Combine(_dir, "student.tkd");
        ModelFile.Save(path, model, standardizer);

        var (_, rawTest) = FashionMnistSample.Load();
        Tensor rows = rawTest.Features.Slice(0, 300);
        byte[] onnx = OnnxExport.Serialize(ModelFile.Load(path).Model, standardizer);
        Tensor standardised = Tensor.FromArray(rows.ToArray(), 300, 784);
        standardizer.Apply(standardised);

        Compare(Evaluation.PredictLogits(model, standardised, 10), RunOnnx(onnx, rows), "784-64-10 on 300 test images");
        Assert.Equal(onnx, OnnxExport.Serialize(ModelFile.Load(path).Model, standardizer));
        _ = test;
    }

    [Fact]
    public void The_export_command_writes_onnx_for_dense_and_compressed_models_and_refuses_what_it_cannot()
    {
        string model = Path.Combine(_dir, "m.tkd"), pruned = Path.Combine(_dir, "mp.tkd"), onnxPath = Path.Combine(_dir, "m.onnx"), prunedOnnx = Path.Combine(_dir, "mp.onnx");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--epochs", "1", "--out", model], TextWriter.Null));
        Assert.Equal(0, PruneCommand.Run([model, "--sparsity", "0.5", "--epochs", "0", "--layout", "sparse", "--out", pruned], TextWriter.Null));
        var printed = new StringWriter();

        Assert.Equal(0, ExportCommand.Run([model, "--onnx", onnxPath, "--softmax"], printed));
        Assert.Equal(0, ExportCommand.Run([pruned, "--onnx", prunedOnnx], printed));

        Assert.Contains("ONNX opset 13): input [batch, 784] → logits [batch, 10] and probabilities; the standardisation is inside the graph", printed.ToString());
        Assert.Contains("exporting its dense fp32 twin", printed.ToString());
        var (_, test) = FashionMnistSample.Load();
        Tensor rows = test.Features.Slice(0, 50);
        SavedModel saved = ModelFile.Load(pruned);
        Tensor standardised = Tensor.FromArray(rows.ToArray(), 50, 784);
        saved.Standardizer!.Apply(standardised);
        Compare(Evaluation.PredictLogits(Distill.Pruning.SparseServing.DenseTwin(saved.Model), standardised, 10), RunOnnx(File.ReadAllBytes(prunedOnnx), rows), "pruned model's dense twin");
        Assert.Contains("--onnx", Assert.Throws<UsageException>(() => ExportCommand.Run([model], TextWriter.Null)).Message);
        Assert.Contains("add --onnx", Assert.Throws<UsageException>(() => ExportCommand.Run([model, "--softmax", "--safetensors", Path.Combine(_dir, "x.safetensors")], TextWriter.Null)).Message);
    }

    // The README's "Serving a student from ONNX Runtime" example, verbatim but for where the model and the image come
    // from: it must classify a test image as TinyKd does.
    [Fact]
    public void The_readme_onnx_runtime_example_classifies_like_tinykd()
    {
        string model = Path.Combine(_dir, "student.tkd"), studentOnnx = Path.Combine(_dir, "student.onnx");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--epochs", "1", "--out", model], TextWriter.Null));
        Assert.Equal(0, ExportCommand.Run([model, "--onnx", studentOnnx], TextWriter.Null));
        var (_, test) = FashionMnistSample.Load();
        float[] image = test.Features.Slice(7, 1).ToArray();

        using var session = new InferenceSession(studentOnnx);
        float[] pixels = image;                                         // one image: 784 raw pixel values
        var input = new DenseTensor(pixels, [1, 784]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        float[] logits = [.. results.First(r => r.Name == "logits").AsTensor<float>()];
        int predicted = Array.IndexOf(logits, logits.Max());

        SavedModel saved = ModelFile.Load(model);
        Tensor x = Tensor.FromArray(image, 1, 784);
        saved.Standardizer!.Apply(x);
        float[] expected = Evaluation.PredictLogits(saved.Model, x, 10);
        Assert.Equal(Array.IndexOf(expected, expected.Max()), predicted);
    }
}
