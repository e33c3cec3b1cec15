using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Pruning;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;
using Xunit.Abstractions;

namespace TinyKd.Tests.Quantization;

// The int8 Linear layer against a double-precision reference built from its own quantized weights and activations,
// on every kernel path; its model-file record; its dense twin.
[Collection(CpuKernelSettingsCollection.Name)]
public sealed class QuantizedLinearTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-int8-layer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void The_layer_computes_the_product_of_its_quantized_activations_and_weights(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        foreach (var (inFeatures, outFeatures) in new[] { (1, 1), (17, 33), (1025, 17) })
            foreach (int batch in (int[])[1, 3, 64])
                foreach (bool fixedActivation in (bool[])[false, true])
                {
                    var linear = new Linear(inFeatures, outFeatures, new Rng((ulong)(inFeatures + outFeatures)));
                    Tensor x = Check.Random(5, -2, 3, batch, inFeatures);
                    ActivationQuantization activation = fixedActivation ? ActivationQuantization.FromRange(-1f, 2f) : ActivationQuantization.FromData(x.Span);
                    var layer = QuantizedLinear.FromLinear(linear, fixedActivation ? activation : null);

                    float[] actual = Forward(layer, x);
                    double[] expected = Reference(layer, activation, x.Span, batch);
                    for (int i = 0; i < expected.Length; i++)
                        Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])),
                            $"{path} {inFeatures}→{outFeatures} batch {batch} static {fixedActivation}: y[{i}] = {actual[i]}, reference {expected[i]}");
                }
    });

    [Fact]
    public void The_layer_gives_the_same_bits_for_any_thread_count()
    {
        var layer = QuantizedLinear.FromLinear(new Linear(700, 300, new Rng(3)));
        Tensor x = Check.Random(4, -1, 1, 64, 700);
        int saved = CpuKernels.Threads;
        try
        {
            CpuKernels.Threads = 1;
            float[] one = Forward(layer, x);
            CpuKernels.Threads = 3;
            Assert.Equal(one, Forward(layer, x));
        }
        finally
        {
            CpuKernels.Threads = saved;
        }
    }

    [Fact]
    public void An_int8_model_round_trips_bit_for_bit_and_its_twin_holds_the_dequantized_weights()
    {
        Mlp dense = PruningFixtures.Model("30-21-10");
        var layers = dense.AffineLayers.Cast<Linear>().ToArray();
        Mlp model = new(dense.Spec, [QuantizedLinear.FromLinear(layers[0], new ActivationQuantization(0.02f, 117)), QuantizedLinear.FromLinear(layers[1])]);
        string path = Path.Combine(_dir, "int8.tkd");
        ModelFile.Save(path, model);

        SavedModel loaded = ModelFile.Load(path);
        Tensor x = Check.Random(6, -1, 1, 9, 30);
        Assert.Equal(Evaluation.PredictLogits(model, x, 10), Evaluation.PredictLogits(loaded.Model, x, 10));
        var read = loaded.Model.AffineLayers.Cast<QuantizedLinear>().ToArray();
        Assert.Equal(new ActivationQuantization(0.02f, 117), read[0].Activation);
        Assert.Null(read[1].Activation);
        Assert.True(new FileInfo(path).Length < 30 * 21 + 21 * 10 + 4 * (2 * 21 + 2 * 10) + 2048, $"{new FileInfo(path).Length} bytes");

        Mlp twin = SparseServing.DenseTwin(loaded.Model);
        var twinLayers = twin.AffineLayers.Cast<Linear>().ToArray();
        for (int l = 0; l < 2; l++)
        {
            Int8LinearWeight w = read[l].Weight;
            float[] weights = twinLayers[l].Weight.Data.ToArray();
            for (int o = 0; o < w.OutFeatures; o++)
                for (int i = 0; i < w.InFeatures; i++)
                    Assert.Equal(w[o, i] * w.Scale(o), weights[o * w.InFeatures + i]);
            Assert.Equal(layers[l].Bias!.Data.ToArray(), twinLayers[l].Bias!.Data.ToArray());
        }
        Check.Close(Evaluation.PredictLogits(dense, x, 10), Evaluation.PredictLogits(loaded.Model, x, 10), atol: 0.05, rtol: 0.05, what: "int8 vs fp32");
    }

    [Fact]
    public void The_share_of_zero_int8_weights_is_the_models_sparsity()
    {
        Mlp dense = PruningFixtures.Model("40-16-10");
        MagnitudePruner.Prune(dense, 0.5);
        var layers = dense.AffineLayers.Cast<Linear>().ToArray();
        Mlp model = new(dense.Spec, [QuantizedLinear.FromLinear(layers[0]), QuantizedLinear.FromLinear(layers[1])]);
        Assert.InRange(PruningStage.PrunedLayerSparsity(model), 0.5, 0.6);
    }

    [Fact]
    public void A_corrupt_int8_record_is_refused_naming_the_file_and_tensor()
    {
        var record = new LayerRecord("int8", 2, 1, new Dictionary<string, string>());
        var codec = new Int8LayerCodec();
        LayerTensors Tensors(sbyte[] values, float[] scales) => new(new Dictionary<string, StoredTensor>
        {
            ["0.values"] = StoredTensor.Int8("0.values", values, 1, 2),
            ["0.scales"] = StoredTensor.Float32("0.scales", scales, 1),
        }, "bad.tkd");

        Assert.IsType<QuantizedLinear>(codec.Read(record, "0.", Tensors([64, -64], [0.5f])));
        Check.Throws<InvalidDataException>(() => codec.Read(record, "0.", Tensors([65, 0], [0.5f])), "bad.tkd", "0.values", "±64");
        Check.Throws<InvalidDataException>(() => codec.Read(record, "0.", Tensors([1, 0], [0f])), "bad.tkd", "0.scales");
        Check.Throws<InvalidDataException>(() => codec.Read(record with { In = 3 }, "0.", Tensors([1, 0], [1f])), "bad.tkd", "0.values");
        var staticRecord = record with { Attributes = new Dictionary<string, string> { ["activation_scale"] = "-1", ["activation_zero_point"] = "3" } };
        Check.Throws<InvalidDataException>(() => codec.Read(staticRecord, "0.", Tensors([1, 0], [1f])), "bad.tkd", "activation quantization");
    }

    [Fact]
    public void The_layer_refuses_to_record_gradients_and_checks_its_input()
    {
        var layer = QuantizedLinear.FromLinear(new Linear(3, 2, new Rng(1)));
        Assert.Equal(3 * 2 + 2, layer.StoredParameters);
        var graph = new Graph();
        Check.Throws<InvalidOperationException>(() => layer.Forward(graph.Input(Tensor.Zeros(1, 3), requiresGrad: true)), "forward-only");
        Check.Throws<ArgumentException>(() => layer.Forward(graph.Input(Tensor.Zeros(1, 4))), "[1, 4]", "[B, 3]");
        Check.Throws<ArgumentException>(() => new QuantizedLinear(layer.Weight, [1f]), "bias of 1");
    }

    private static float[] Forward(Layer layer, Tensor x)
    {
        using var _ = GradMode.NoGrad();
        return layer.Forward(new Graph().Input(x)).Data.ToArray();
    }

    // y[b, o] = Σ_i x̂[b, i]·ŵ[o, i] + bias[o] in double, x̂ the activations after u8 quantization, ŵ = q·scale.
    private static double[] Reference(QuantizedLinear layer, ActivationQuantization activation, ReadOnlySpan<float> x, int batch)
    {
        int inFeatures = layer.InFeatures, outFeatures = layer.OutFeatures;
        var q = new byte[x.Length];
        activation.Quantize(x, q);
        var y = new double[batch * outFeatures];
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = 0;
                for (int i = 0; i < inFeatures; i++)
                    sum += (double)(q[b * inFeatures + i] - activation.ZeroPoint) * activation.Scale * layer.Weight[o, i] * layer.Weight.Scale(o);
                y[b * outFeatures + o] = sum + layer.Bias[o];
            }
        return y;
    }
}
