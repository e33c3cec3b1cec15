using TinyKd.Autograd.Nn;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Quantization;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Pruning;
using TinyKd.Tests.Support;
using Xunit.Abstractions;
using TinyKd.Samples;

namespace TinyKd.Tests.Interop;

// int8 models exported as integer ONNX operators (OnnxInt8Layers) and run by ONNX Runtime: dynamic, static, the fused
// static chain and pruned int8 layers give TinyKd's int8 logits on random inputs and on Fashion-MNIST test images.
// Between ReLU (or LeakyReLU) layers the graph is TinyKd's arithmetic operation for operation — exact IEEE min/max,
// divide, multiply and round-half-even for the codes, exact int32 sums, then float(C)·(s_a·s_w) + b as two roundings
// — so the logits are asserted bit-identical. (ORT 1.32 fuses the dynamic layers' MatMulInteger → Cast → Mul → Add
// into its MatMulIntegerToFloat; its output step rounds as the unfused operators do, measured on AMD EPYC Zen 4: if
// an ORT build used an FMA there, these exact comparisons would be the ones to fail, by an ulp.) Where fp32 parts are in the model (tanh, sigmoid,
// GELU between layers; an fp32 output layer) the two engines' fp32 maths differs by an ulp, which a later layer can
// carry further: there the bound is 1e-5 relative to max(1, |logit|), and argmax agreement on real images. A changed
// weight code or scale fails even the 1e-5 bound.
public sealed class OnnxInt8ExportTests(ITestOutputHelper output) : IDisposable
{
    private const double Exact = 0, Tolerance = 1e-5;
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-onnx-int8-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly QuantizationOptions Dynamic = new();
    private static readonly QuantizationOptions Static = new(ActivationMode.Static);
    private static readonly QuantizationOptions StaticUnfused = Static with { FuseStaticChains = false };

    // |ORT − TinyKd| / max(1, |TinyKd|) asserted ≤ tolerance element by element (0: bit-identical); prints the worst and the bit-identical share.
    private void Compare(float[] expected, float[] actual, string what, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int identical = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i]));
            worst = Math.Max(worst, error);
            if (expected[i] == actual[i]) identical++;
            Assert.True(error <= tolerance, $"{what}: element {i} is {actual[i]} in ONNX Runtime, {expected[i]} in TinyKd");
        }
        output.WriteLine($"{what}: worst |ORT − TinyKd| / max(1, |TinyKd|) = {worst:G3}; {identical} of {expected.Length} bit-identical");
    }

    private void CompareOnRandomInputs(Mlp int8, string what, double tolerance, ulong seed = 4)
    {
        byte[] onnx = OnnxExport.Serialize(int8);
        foreach (int batch in (int[])[1, 37])
        {
            Tensor x = Check.Random(seed + (ulong)batch, -3, 4, batch, int8.Spec.InputSize);
            Compare(Evaluation.PredictLogits(int8, x, int8.Spec.OutputSize), OnnxRuntimeRunner.Run(onnx, x), $"{what} b{batch}", tolerance);
        }
    }

    public static TheoryData<Activation> Activations() => [.. Enum.GetValues<Activation>()];

    [Theory, MemberData(nameof(Activations))]
    public void Dynamic_int8_layers_give_tinykds_logits_for_every_activation(Activation activation)
    {
        var model = new Mlp(MlpSpec.Parse("23-37-17-5", activation), new Rng(11));
        Mlp int8 = PostTrainingQuantizer.Quantize(model, Dynamic);
        Assert.All(int8.AffineLayers, l => Assert.IsType<QuantizedLinear>(l));
        CompareOnRandomInputs(int8, $"dynamic {activation}", activation is Activation.Relu or Activation.LeakyRelu ? Exact : Tolerance);
    }

    [Fact]
    public void An_all_zero_batch_takes_scale_1_and_zero_point_0_in_both_engines()
    {
        Mlp int8 = PostTrainingQuantizer.Quantize(PruningFixtures.Model("23-37-5"), Dynamic);
        Tensor zeros = Tensor.Zeros(4, 23);
        Compare(Evaluation.PredictLogits(int8, zeros, 5), OnnxRuntimeRunner.Run(OnnxExport.Serialize(int8), zeros), "all-zero batch", Exact);
    }

    [Fact]
    public void Static_layers_and_the_fused_static_chain_give_tinykds_logits()
    {
        Mlp model = PruningFixtures.Model("23-37-17-5");
        Tensor calibration = Check.Random(2, -3, 4, 64, 23);
        Mlp chain = PostTrainingQuantizer.Quantize(model, Static, calibration);
        Assert.IsType<QuantizedChain>(Assert.Single(chain.AffineLayers));
        CompareOnRandomInputs(chain, "static chain", Exact);
        CompareOnRandomInputs(PostTrainingQuantizer.Quantize(model, StaticUnfused, calibration), "static unfused", Exact);
        Mlp keep = PostTrainingQuantizer.Quantize(model, Static with { KeepOutputLayerFp32 = true }, calibration);
        Assert.IsType<Linear>(keep.AffineLayers[^1]);
        CompareOnRandomInputs(keep, "static chain, fp32 output layer", Tolerance);
    }

    [Fact]
    public void Pruned_int8_layers_export_as_dense_int8_weights_and_give_tinykds_logits()
    {
        Mlp model = PruningFixtures.Model("40-48-24-6");
        MagnitudePruner.Prune(model, 0.7, new PruningOptions(PruneOutputLayer: true));
        Mlp sparse = SparseServing.Convert(model, ServingLayout.Sparse);
        Mlp int8 = PostTrainingQuantizer.Quantize(sparse, Dynamic);
        Assert.All(int8.AffineLayers, l => Assert.IsType<SparseQuantizedLinear>(l));
        CompareOnRandomInputs(int8, "pruned dynamic int8", Exact);
        Mlp keep = PostTrainingQuantizer.Quantize(sparse, Static with { KeepOutputLayerFp32 = true }, Check.Random(5, -3, 4, 64, 40));
        Assert.IsType<SparseLinear>(keep.AffineLayers[^1]);
        CompareOnRandomInputs(keep, "pruned static int8, pruned fp32 output layer", Tolerance);
    }

    [Fact]
    public void On_fashion_mnist_test_images_dynamic_and_chained_int8_exports_predict_as_tinykd()
    {
        string student = Path.Combine(_dir, "student.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-64-32-10", "--dropout", "0", "--epochs", "1", "--out", student], TextWriter.Null));
        SavedModel saved = ModelFile.Load(student);
        var (train, _) = FashionMnistSample.Load();
        saved.Standardizer!.Apply(train);
        var (raw, standardised) = OnnxRuntimeRunner.TestImages(saved.Standardizer, 500);

        foreach (var (name, options) in new[] { ("dynamic", Dynamic), ("static chain", Static) })
        {
            Mlp int8 = PostTrainingQuantizer.Quantize(saved.Model, options, train.Features.Slice(0, 1000));
            float[] expected = Evaluation.PredictLogits(int8, standardised, 10);
            float[] actual = OnnxRuntimeRunner.Run(OnnxExport.Serialize(int8, saved.Standardizer), raw);
            Compare(expected, actual, $"784-64-32-10 {name} on 500 test images", Exact);
            for (int r = 0; r < 500; r++)
                Assert.Equal(ArgMax(expected.AsSpan(r * 10, 10)), ArgMax(actual.AsSpan(r * 10, 10)));
        }
    }

    [Fact]
    public void A_changed_weight_code_or_scale_fails_the_comparison()
    {
        Mlp model = PruningFixtures.Model("23-37-5");
        Mlp int8 = PostTrainingQuantizer.Quantize(model, Dynamic);
        Tensor x = Check.Random(8, -3, 4, 37, 23);
        float[] exported = OnnxRuntimeRunner.Run(OnnxExport.Serialize(int8), x);
        Compare(Evaluation.PredictLogits(int8, x, 5), exported, "unchanged", Exact);

        var first = (QuantizedLinear)int8.AffineLayers[0];
        Int8LinearWeight w = first.Weight;
        sbyte[] codes = new sbyte[w.OutFeatures * w.InFeatures];
        float[] scales = new float[w.OutFeatures];
        for (int o = 0; o < w.OutFeatures; o++)
        {
            scales[o] = w.Scale(o);
            for (int i = 0; i < w.InFeatures; i++) codes[o * w.InFeatures + i] = w[o, i];
        }
        codes[3] = (sbyte)(codes[3] > 0 ? codes[3] - 1 : codes[3] + 1);
        AssertDiffers(Int8LinearWeight.FromQuantized(codes, scales, w.OutFeatures, w.InFeatures), "one weight code ±1");
        codes[3] = w[0, 3];
        scales[2] *= 1.001f;
        AssertDiffers(Int8LinearWeight.FromQuantized(codes, scales, w.OutFeatures, w.InFeatures), "one row scale × 1.001");

        void AssertDiffers(Int8LinearWeight changed, string what)
        {
            var layers = new List<Layer> { new QuantizedLinear(changed, first.Bias), int8.AffineLayers[1] };
            float[] tinykd = Evaluation.PredictLogits(new Mlp(int8.Spec, layers), x, 5);
            Assert.Throws<Xunit.Sdk.TrueException>(() => Compare(tinykd, exported, what, Tolerance));
        }
    }

    [Fact]
    public void The_export_command_writes_an_int8_model_as_integer_operators()
    {
        string model = Path.Combine(_dir, "m.tkd"), int8 = Path.Combine(_dir, "m8.tkd"), onnxPath = Path.Combine(_dir, "m8.onnx");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--epochs", "1", "--out", model], TextWriter.Null));
        Assert.Equal(0, QuantizeCommand.Run([model, "--out", int8], TextWriter.Null));
        var printed = new StringWriter();

        Assert.Equal(0, ExportCommand.Run([int8, "--onnx", onnxPath], printed));

        Assert.Contains("int8 layers as integer operators (MatMulInteger)", printed.ToString());
        Assert.DoesNotContain("dense fp32 twin", printed.ToString());
        SavedModel saved = ModelFile.Load(int8);
        var (raw, standardised) = OnnxRuntimeRunner.TestImages(saved.Standardizer!, 50);
        Compare(Evaluation.PredictLogits(saved.Model, standardised, 10), OnnxRuntimeRunner.Run(File.ReadAllBytes(onnxPath), raw), "tinykd export of an int8 model", Exact);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
            if (row[i] > row[best]) best = i;
        return best;
    }
}
