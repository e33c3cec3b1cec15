using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;
using TinyKd.Tests.Pruning;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Quantization;

// The fused int8 chain (u8 activations between layers): the quantizer builds it in static mode, its logits are the
// unfused static model's bit for bit (the requantizing epilogue computes the float y the unfused layer writes and
// quantizes it with the next layer's own arithmetic, so the error bound between the two is 0), and its model file
// record round-trips.
public sealed class QuantizedChainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-int8-chain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly QuantizationOptions Fused = new(ActivationMode.Static);
    private static readonly QuantizationOptions Unfused = Fused with { FuseStaticChains = false };

    [Fact]
    public void Static_mode_fuses_runs_of_dense_int8_layers_and_dynamic_mode_does_not()
    {
        Mlp model = PruningFixtures.Model("12-9-7-4");
        Tensor rows = Check.Random(2, -3, 5, 50, 12);
        Mlp fused = PostTrainingQuantizer.Quantize(model, Fused, rows);
        QuantizedChain chain = Assert.IsType<QuantizedChain>(Assert.Single(fused.AffineLayers));
        Assert.Equal(3, chain.Depth);
        Assert.Equal(1, fused.Count);

        Mlp keep = PostTrainingQuantizer.Quantize(model, Fused with { KeepOutputLayerFp32 = true }, rows);
        Assert.Equal(2, Assert.IsType<QuantizedChain>(keep.AffineLayers[0]).Depth);
        Assert.IsType<Linear>(keep.AffineLayers[1]);
        Assert.All(PostTrainingQuantizer.Quantize(model, new QuantizationOptions()).AffineLayers, l => Assert.IsType<QuantizedLinear>(l));
        Assert.All(PostTrainingQuantizer.Quantize(model, Unfused, rows).AffineLayers, l => Assert.IsType<QuantizedLinear>(l));

        Tensor x = Check.Random(4, -3, 5, 37, 12);
        foreach (var (a, b) in new[] { (fused, Unfused), (keep, Unfused with { KeepOutputLayerFp32 = true }) })
            Assert.Equal(Evaluation.PredictLogits(PostTrainingQuantizer.Quantize(model, b, rows), x, 4), Evaluation.PredictLogits(a, x, 4));
    }

    [Fact]
    public void On_fashion_mnist_the_chains_logits_are_the_unfused_static_models_bit_for_bit_and_its_file_round_trips()
    {
        string student = Path.Combine(_dir, "student.tkd"), path = Path.Combine(_dir, "chain.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-64-32-10", "--dropout", "0", "--epochs", "1", "--out", student], TextWriter.Null));
        SavedModel saved = ModelFile.Load(student);
        var (train, test) = FashionMnistSample.Load();
        saved.Standardizer!.Apply(train);
        saved.Standardizer.Apply(test);
        Tensor calibration = train.Features.Slice(0, 1000);
        Mlp fused = PostTrainingQuantizer.Quantize(saved.Model, Fused, calibration);
        Mlp unfused = PostTrainingQuantizer.Quantize(saved.Model, Unfused, calibration);
        Assert.IsType<QuantizedChain>(Assert.Single(fused.AffineLayers));

        float[] expected = Evaluation.PredictLogits(unfused, test.Features, 10), actual = Evaluation.PredictLogits(fused, test.Features, 10);
        Assert.Equal(expected, actual);
        Assert.True(Evaluation.Run(fused, test).Accuracy > 0.6, "the chain classifies the sample");

        ModelFile.Save(path, fused, saved.Standardizer);
        SavedModel loaded = ModelFile.Load(path);
        QuantizedChain chain = Assert.IsType<QuantizedChain>(Assert.Single(loaded.Model.AffineLayers));
        var original = (QuantizedChain)fused.AffineLayers[0];
        for (int l = 0; l < chain.Depth; l++)
        {
            QuantizedLinear a = original.Layers[l], b = chain.Layers[l];
            Assert.Equal(a.Activation, b.Activation);
            Assert.Equal(a.Bias.ToArray(), b.Bias.ToArray());
            Assert.Equal(a.Weight.Scales, b.Weight.Scales);
            for (int o = 0; o < a.OutFeatures; o++)
                for (int i = 0; i < a.InFeatures; i++) Assert.Equal(a.Weight[o, i], b.Weight[o, i]);
        }
        Assert.Equal(actual, Evaluation.PredictLogits(loaded.Model, test.Features, 10));
    }

    [Fact]
    public void The_chain_record_names_an_unknown_version_or_bad_sizes()
    {
        Mlp fused = PostTrainingQuantizer.Quantize(PruningFixtures.Model("6-5-3"), Fused, Check.Random(1, -1, 1, 20, 6));
        var codec = new Int8ChainCodec();
        var stored = new List<StoredTensor>();
        var attributes = codec.Write(fused.AffineLayers[0], "0.", stored);
        Assert.Equal("6-5-3", attributes["sizes"]);
        LayerTensors Tensors() => new(stored.ToDictionary(t => t.Name), "m.tkd");
        LayerRecord With(string key, string value) => new("int8-chain", 6, 3, new Dictionary<string, string>(attributes) { [key] = value });

        Assert.IsType<QuantizedChain>(codec.Read(new LayerRecord("int8-chain", 6, 3, attributes), "0.", Tensors()));
        Check.Throws<InvalidDataException>(() => codec.Read(With("chain_version", "2"), "0.", Tensors()), "m.tkd", "chain version '2'");
        Check.Throws<InvalidDataException>(() => codec.Read(With("sizes", "6-3"), "0.", Tensors()), "m.tkd", "sizes '6-3'");
        Check.Throws<InvalidDataException>(() => codec.Read(With("sizes", "6-x-3"), "0.", Tensors()), "m.tkd", "6-x-3");
    }

    [Fact]
    public void The_chain_refuses_dynamic_layers_mismatched_widths_and_gradients()
    {
        var rng = new Rng(1);
        QuantizedLinear a = QuantizedLinear.FromLinear(new Linear(4, 3, rng), new ActivationQuantization(0.1f, 0));
        QuantizedLinear b = QuantizedLinear.FromLinear(new Linear(3, 2, rng), new ActivationQuantization(0.1f, 0));
        Check.Throws<ArgumentException>(() => new QuantizedChain([a]), "at least two");
        Check.Throws<ArgumentException>(() => new QuantizedChain([a, QuantizedLinear.FromLinear(new Linear(3, 2, rng))]), "Layer 1", "dynamic");
        Check.Throws<ArgumentException>(() => new QuantizedChain([a, a]), "Layer 1", "4 inputs", "3 outputs");
        var chain = new QuantizedChain([a, b]);
        Variable x = new Graph().Input(Tensor.Zeros(2, 4), requiresGrad: true);
        Check.Throws<InvalidOperationException>(() => chain.Forward(x), "forward-only");
    }
}
