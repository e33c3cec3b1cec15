using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Interop;

public sealed class SafeTensorsModelTests : IDisposable
{
    private const string File = "test.safetensors";
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-safetensors-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string TorchFixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", "torch-mlp.safetensors");

    private static SafeTensorsContent Content(params StoredTensor[] tensors) =>
        new(tensors.ToDictionary(t => t.Name), new Dictionary<string, string>());

    private static StoredTensor Zeros(string name, params int[] dims) => StoredTensor.Float32(name, new float[dims.Aggregate(1, (p, d) => p * d)], dims);

    private static InvalidDataException Rejects(SafeTensorsContent content, int[]? sizes, params string[] fragments) =>
        Check.Throws<InvalidDataException>(() => SafeTensorsModel.Import(content, File, sizes, Activation.Relu, 0f), [File, .. fragments]);

    [Theory]
    [InlineData(0.5f, new[] { "0.bias", "0.weight", "3.bias", "3.weight", "6.bias", "6.weight" })]
    [InlineData(0f, new[] { "0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight" })]
    public void State_dict_uses_the_names_of_pytorchs_sequential(float dropout, string[] names)
    {
        var model = new Mlp(MlpSpec.Parse("6-5-4-3", Activation.Relu, dropout), new Rng(3));
        var tensors = SafeTensorsModel.StateDict(model);
        Assert.Equal(names, tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        var first = (Linear)model[0];
        StoredTensor weight = tensors.Single(t => t.Name == "0.weight");
        Assert.Equal([5, 6], weight.Dims); // [Out, In], as nn.Linear stores it
        Assert.Equal(first.Weight.Data.ToArray(), weight.ToFloat32());
    }

    [Theory]
    [InlineData("6-5-4-3", Activation.Gelu, 0.25f, true)]
    [InlineData("9-7-2", Activation.Tanh, 0f, false)]
    public void Export_then_import_gives_the_same_outputs_bit_for_bit(string sizes, Activation activation, float dropout, bool perFeature)
    {
        var model = new Mlp(MlpSpec.Parse(sizes, activation, dropout), new Rng(11));
        model.Eval();
        int inputs = model.Spec.InputSize;
        Standardizer standardizer = perFeature
            ? new Standardizer([.. Enumerable.Range(0, inputs).Select(i => 0.1f * i)], [.. Enumerable.Range(0, inputs).Select(i => 1f + i)])
            : new Standardizer([0.5f], [2f]);
        string path = Path.Combine(_dir, "m.safetensors");
        SafeTensorsModel.Export(path, model, standardizer);

        SafeTensorsContent content = SafeTensorsFile.Read(path);
        Assert.Equal(sizes, content.Metadata[SafeTensorsModel.SizesKey]);
        Assert.Equal(SafeTensorsModel.NameOf(activation), content.Metadata[SafeTensorsModel.ActivationKey]);
        ImportedMlp imported = SafeTensorsModel.Import(content, path, null, activation, dropout);
        Assert.Equal(sizes, imported.Model.Spec.ToString());
        Assert.Equal(standardizer.Mean, imported.Standardizer!.Mean);
        Assert.Equal(standardizer.Std, imported.Standardizer.Std);

        Tensor x = Check.Random(5, -2, 2, 13, inputs);
        float[] expected = Evaluation.PredictLogits(model, x, model.Spec.OutputSize);
        float[] actual = Evaluation.PredictLogits(imported.Model, x, model.Spec.OutputSize);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Import_reproduces_pytorchs_logits(bool givenSizes)
    {
        var fixture = Fixture.Load("safetensors/torch-mlp");
        ImportedMlp imported = SafeTensorsModel.Import(SafeTensorsFile.Read(TorchFixture), TorchFixture, givenSizes ? [20, 16, 12, 5] : null, Activation.Relu, 0.5f);
        Assert.Equal("20-16-12-5", imported.Model.Spec.ToString());
        Assert.Equal([0, 3, 6], imported.LayerNames);
        Assert.Null(imported.Standardizer);
        Tensor expected = fixture.Get("logits");
        float[] logits = Evaluation.PredictLogits(imported.Model, fixture.Get("x"), 5);
        Check.Close(expected.Span, logits, atol: 1e-5, rtol: 0, what: "PyTorch's eval-mode logits");
    }

    [Fact]
    public void Import_names_a_layer_missing_from_the_sizes() =>
        Rejects(SafeTensorsFile.Read(TorchFixture), [20, 16, 12, 5, 3], "lacks the layer 5→3", "after '6.weight'", "[3, 5]");

    [Fact]
    public void Import_names_a_layer_beyond_the_sizes() =>
        Rejects(SafeTensorsFile.Read(TorchFixture), [20, 16, 12], "tensor '6.weight' [5, 12] beyond the 2 layer(s)");

    [Fact]
    public void Import_names_a_weight_whose_shape_disagrees_with_the_sizes() =>
        Rejects(SafeTensorsFile.Read(TorchFixture), [20, 16, 10, 5], "tensor '3.weight' of shape [12, 16]", "needs [10, 16]", "20-16-10-5");

    [Fact]
    public void Import_without_sizes_names_a_weight_that_does_not_chain() =>
        Rejects(Content(Zeros("0.weight", 4, 3), Zeros("2.weight", 2, 5)), null, "tensor '2.weight' of shape [2, 5]", "needs [2, 4]", "'0.weight' [4, 3]");

    [Fact]
    public void Import_names_a_bias_of_the_wrong_length() =>
        Rejects(Content(Zeros("0.weight", 4, 3), Zeros("0.bias", 3)), null, "tensor '0.bias' of shape [3]", "needs [4]");

    [Fact]
    public void Import_names_a_bias_without_its_weight() =>
        Rejects(Content(Zeros("0.weight", 4, 3), Zeros("2.bias", 2)), null, "'2.bias' without '2.weight'");

    [Theory]
    [InlineData("1.running_mean")]
    [InlineData("encoder.0.weight")]
    [InlineData("01.weight")]
    public void Import_names_a_tensor_that_is_not_a_linear_layer(string name) =>
        Rejects(Content(Zeros("0.weight", 4, 3), Zeros(name, 4)), null, $"tensor '{name}'", "N.weight");

    [Fact]
    public void Import_names_a_weight_that_is_not_a_matrix() =>
        Rejects(Content(Zeros("0.weight", 4)), null, "tensor '0.weight' of shape [4]", "[Out, In]");

    [Fact]
    public void Import_refuses_a_mean_without_a_std() =>
        Rejects(Content(Zeros("0.weight", 4, 3), Zeros("input.mean", 3)), null, "'input.mean' without 'input.std'");

    [Fact]
    public void Import_accepts_linear_layers_without_bias()
    {
        ImportedMlp imported = SafeTensorsModel.Import(Content(Zeros("0.weight", 4, 3), Zeros("2.weight", 2, 4), Zeros("2.bias", 2)), File, null, Activation.Relu, 0f);
        var layers = imported.Model.AffineLayers.Cast<Linear>().ToArray();
        Assert.Null(layers[0].Bias);
        Assert.NotNull(layers[1].Bias);
    }

    [Fact]
    public void State_dict_refuses_a_sparse_model_and_its_dense_twin_exports()
    {
        var dense = new Mlp(MlpSpec.Parse("16-8-4"), new Rng(2));
        MagnitudePruner.Prune(dense, 0.5, new PruningOptions(PruneOutputLayer: true));
        Mlp sparse = SparseServing.Convert(dense, ServingLayout.Sparse);
        Check.Throws<ArgumentException>(() => SafeTensorsModel.StateDict(sparse), "SparseLinear", "dense twin");
        var tensors = SafeTensorsModel.StateDict(SparseServing.DenseTwin(sparse));
        Assert.Equal(((Linear)dense[0]).Weight.Data.ToArray(), tensors.Single(t => t.Name == "0.weight").ToFloat32());
    }
}
