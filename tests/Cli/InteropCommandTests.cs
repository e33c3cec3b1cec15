using TinyKd.Autograd.Nn;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Interop;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Cli;

// tinykd export and tinykd import, end to end through files in a temporary folder.
public sealed class InteropCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-interop-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private static string TorchFixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", "torch-mlp.safetensors");

    private string SavedModel(Mlp model, Standardizer? standardizer = null)
    {
        string path = File("model.tkd");
        ModelFile.Save(path, model, standardizer);
        return path;
    }

    [Fact]
    public void Export_then_import_brings_back_the_same_model()
    {
        var model = new Mlp(MlpSpec.Parse("8-6-5-3", Activation.LeakyRelu, 0.3f), new Rng(4));
        string tkd = SavedModel(model, new Standardizer([0.25f], [3f]));
        string safetensors = File("out/model.safetensors"), back = File("back.tkd");
        var exportOutput = new StringWriter();
        Assert.Equal(0, ExportCommand.Run([tkd, "--safetensors", safetensors], exportOutput));
        Assert.Contains("0.weight [6, 8]", exportOutput.ToString());
        Assert.Contains("6.weight [3, 5]", exportOutput.ToString());
        Assert.Contains("(x - mean) / std", exportOutput.ToString());

        var importOutput = new StringWriter();
        Assert.Equal(0, ImportCommand.Run([safetensors, "--arch", "8-6-5-3", "--out", back], importOutput));
        Assert.Contains("activation leaky-relu (the file's tinykd.activation)", importOutput.ToString());
        SavedModel loaded = ModelFile.Load(back);
        Assert.Equal(model.Spec.ToString(), loaded.Model.Spec.ToString());
        Assert.Equal(Activation.LeakyRelu, loaded.Model.Spec.Activation);
        Assert.Equal(0.3f, loaded.Model.Spec.Dropout);
        Assert.Equal([0.25f], loaded.Standardizer!.Mean);
        Assert.Equal("imported", loaded.Metadata["stage"]);
        foreach (var ((name, expected), (_, actual)) in model.NamedParameters().Zip(loaded.Model.NamedParameters()))
            Assert.True(expected.Data.ToArray().SequenceEqual(actual.Data.ToArray()), $"parameter {name} differs");
    }

    [Fact]
    public void Export_of_a_pruned_model_writes_its_dense_twin_and_says_so()
    {
        var dense = new Mlp(MlpSpec.Parse("16-8-4"), new Rng(2));
        MagnitudePruner.Prune(dense, 0.5, new PruningOptions(PruneOutputLayer: true));
        string tkd = SavedModel(SparseServing.Convert(dense, ServingLayout.Sparse)), safetensors = File("pruned.safetensors");
        var output = new StringWriter();
        Assert.Equal(0, ExportCommand.Run([tkd, "--safetensors", safetensors], output));
        Assert.Contains("dense fp32 twin (SparseServing.DenseTwin)", output.ToString());
        Assert.Equal(((Linear)dense[0]).Weight.Data.ToArray(), SafeTensorsFile.Read(safetensors).Tensors["0.weight"].ToFloat32());
    }

    [Fact]
    public void Export_of_an_int8_model_writes_its_dequantized_weights_and_says_so()
    {
        var fp32 = new Mlp(MlpSpec.Parse("16-8-4"), new Rng(5));
        Mlp int8 = PostTrainingQuantizer.Quantize(fp32, new QuantizationOptions());
        string tkd = SavedModel(int8), safetensors = File("int8.safetensors");
        var output = new StringWriter();
        Assert.Equal(0, ExportCommand.Run([tkd, "--safetensors", safetensors], output));
        Assert.Contains("int8 weights dequantized", output.ToString());
        var dequantized = new float[8 * 16];
        ((QuantizedLinear)ModelFile.Load(tkd).Model[0]).Weight.Dequantize(dequantized);
        float[] exported = SafeTensorsFile.Read(safetensors).Tensors["0.weight"].ToFloat32();
        Assert.Equal(dequantized, exported);
        Assert.NotEqual(((Linear)fp32[0]).Weight.Data.ToArray(), exported); // the int8 weights, not the fp32 ones they came from
    }

    [Fact]
    public void Export_of_a_recommender_writes_the_pytorch_module_names()
    {
        string tkd = File("neumf.tkd"), safetensors = File("neumf.safetensors");
        RecommenderFile.Save(tkd, RecommenderSafeTensorsTests.NeuMF());
        var output = new StringWriter();
        Assert.Equal(0, ExportCommand.Run([tkd, "--safetensors", safetensors], output));
        Assert.Contains("recommender neumf d4 g3 6-5, 12 users, 20 items", output.ToString());
        Assert.Contains("mlp.0.weight [6, 11]", output.ToString());
        Assert.Contains("pop them before load_state_dict", output.ToString());
        Assert.Equal(SafeTensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", "tinykd-neumf.safetensors")).Tensors.Keys.Order(),
            SafeTensorsFile.Read(safetensors).Tensors.Keys.Order());
    }

    [Fact]
    public void Export_of_an_int8_recommender_is_refused_and_says_to_export_the_fp32_model()
    {
        string tkd = File("mf-int8.tkd");
        RecommenderFile.Save(tkd, QuantizedMatrixFactorization.Quantize(RecommenderSafeTensorsTests.Mf()));
        Check.Throws<UsageException>(() => ExportCommand.Run([tkd, "--safetensors", File("q.safetensors")], TextWriter.Null), tkd, "int8", "export the fp32 model");
        Assert.False(System.IO.File.Exists(File("q.safetensors")));
    }

    [Fact]
    public void Export_of_a_recommender_to_onnx_is_refused_naming_the_file()
    {
        string tkd = File("mf.tkd");
        RecommenderFile.Save(tkd, RecommenderSafeTensorsTests.Mf());
        Check.Throws<UsageException>(() => ExportCommand.Run([tkd, "--onnx", File("mf.onnx")], TextWriter.Null), tkd, "recommender", "--safetensors");
    }

    [Fact]
    public void Import_of_the_pytorch_fixture_infers_the_architecture_and_names_each_layer()
    {
        var output = new StringWriter();
        Assert.Equal(0, ImportCommand.Run([TorchFixture, "--out", File("teacher.tkd")], output));
        string text = output.ToString();
        Assert.Contains("MLP 20-16-12-5 (inferred from the weights), activation relu (the default", text);
        Assert.Contains("3.weight [12, 16] + 3.bias [12] → layer 2: 16→12", text);
        Assert.Contains("give --dropout P", text);
        var fixture = Fixture.Load("safetensors/torch-mlp");
        SavedModel teacher = ModelFile.Load(File("teacher.tkd"));
        Check.Close(fixture.Get("logits").Span, TinyKd.Distill.Training.Evaluation.PredictLogits(teacher.Model, fixture.Get("x"), 5), atol: 1e-5, rtol: 0);
    }

    [Fact]
    public void Import_with_dropout_then_export_writes_pytorchs_names_back()
    {
        string teacher = File("teacher.tkd"), back = File("back.safetensors");
        var output = new StringWriter();
        Assert.Equal(0, ImportCommand.Run([TorchFixture, "--arch", "20-16-12-5", "--activation", "relu", "--dropout", "0.5", "--out", teacher], output));
        Assert.DoesNotContain("give --dropout", output.ToString());
        Assert.Equal(0, ExportCommand.Run([teacher, "--safetensors", back], TextWriter.Null));
        var original = SafeTensorsFile.Read(TorchFixture).Tensors;
        var exported = SafeTensorsFile.Read(back).Tensors;
        Assert.Equal(original.Keys.Order(StringComparer.Ordinal), exported.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in original)
            Assert.Equal(tensor.ToFloat32(), exported[name].ToFloat32());
    }

    [Fact]
    public void Import_with_a_wrong_arch_names_the_tensor_and_the_shape_expected() =>
        Check.Throws<InvalidDataException>(() => ImportCommand.Run([TorchFixture, "--arch", "20-16-10-5", "--out", File("t.tkd")], TextWriter.Null),
            TorchFixture, "'3.weight'", "[12, 16]", "needs [10, 16]");

    [Fact]
    public void Import_of_a_corrupt_file_names_it_and_saves_nothing()
    {
        string bad = File("bad.safetensors");
        System.IO.File.WriteAllBytes(bad, [.. System.IO.File.ReadAllBytes(TorchFixture).SkipLast(4)]);
        Check.Throws<InvalidDataException>(() => ImportCommand.Run([bad, "--out", File("t.tkd")], TextWriter.Null), bad, "'6.weight'", "beyond");
        Assert.False(System.IO.File.Exists(File("t.tkd")));
    }

    [Theory]
    [InlineData("--arch", "784-x-10", "--arch")]
    [InlineData("--activation", "swish", "--activation")]
    [InlineData("--dropout", "1.5", "--dropout")]
    [InlineData("--out", "", "--out")]
    [InlineData("--colour", "red", "--colour")]
    public void Import_rejects_bad_arguments_naming_the_option(string option, string value, string fragment) =>
        Check.Throws<UsageException>(() => ImportCommand.Run([TorchFixture, option, value], TextWriter.Null), fragment);

    [Fact]
    public void Import_needs_exactly_one_file() =>
        Check.Throws<UsageException>(() => ImportCommand.Run(["--out", File("t.tkd")], TextWriter.Null), "exactly one .safetensors file");

    [Fact]
    public void Export_needs_the_safetensors_option() =>
        Check.Throws<UsageException>(() => ExportCommand.Run([SavedModel(new Mlp(MlpSpec.Parse("4-2"), new Rng(1)))], TextWriter.Null), "--safetensors");

    [Fact]
    public void Export_rejects_a_folder_as_its_output_naming_the_option() =>
        Check.Throws<UsageException>(() => ExportCommand.Run([SavedModel(new Mlp(MlpSpec.Parse("4-2"), new Rng(1))), "--safetensors", _dir], TextWriter.Null),
            "--safetensors", "is a folder");

    [Fact]
    public void Help_of_both_commands_lists_their_options()
    {
        var output = new StringWriter();
        Assert.Equal(0, ExportCommand.Run(["--help"], output));
        Assert.Equal(0, ImportCommand.Run(["--help"], output));
        foreach (string option in new[] { "--safetensors", "--arch", "--activation", "--dropout", "--out" })
            Assert.Contains(option, output.ToString());
    }
}
