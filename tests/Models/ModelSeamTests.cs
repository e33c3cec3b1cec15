using System.Buffers.Binary;
using System.Text;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Models;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Fuzz;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Models;

// The seam compressed layers plug into: typed arrays in the container, an MLP around given affine layers, and the
// per-layer records of the model file.
public sealed class ModelSeamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-seam-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Typed_arrays_round_trip_at_their_own_width()
    {
        string path = Path.Combine(_dir, "typed.tkd");
        TensorFile.Write(path, "{}"u8,
        [
            StoredTensor.Float32("f", [1.5f, -2f, float.Epsilon, 3f], 2, 2),
            StoredTensor.Int32("i", [int.MinValue, 0, int.MaxValue]),
            StoredTensor.UInt16("u16", [0, 1, ushort.MaxValue]),
            StoredTensor.Int8("i8", [sbyte.MinValue, -1, 0, sbyte.MaxValue]),
            StoredTensor.UInt8("u8", [0, 128, 255]),
        ]);
        var (_, t) = TensorFile.ReadStored(path);
        Assert.Equal([1.5f, -2f, float.Epsilon, 3f], t["f"].ToFloat32());
        Assert.Equal([2, 2], t["f"].Dims);
        Assert.Equal([int.MinValue, 0, int.MaxValue], t["i"].ToInt32());
        Assert.Equal([(ushort)0, (ushort)1, ushort.MaxValue], t["u16"].ToUInt16());
        Assert.Equal([sbyte.MinValue, (sbyte)-1, (sbyte)0, sbyte.MaxValue], t["i8"].ToInt8());
        Assert.Equal([(byte)0, (byte)128, (byte)255], t["u8"].ToUInt8());
        // 4 bytes per float and int32, 2 per uint16, 1 per byte: the file grows by the element width, not by 4.
        Assert.Equal(4 * 4 + 3 * 4 + 3 * 2 + 4 + 3, t.Values.Sum(x => x.Bytes.Length));
        Check.Throws<InvalidDataException>(() => t["i8"].ToFloat32(), "'i8'", "Int8");
        Check.Throws<InvalidDataException>(() => TensorFile.Read(path), path, "'i'", "Int32");
    }

    [Fact]
    public void An_unknown_element_type_is_rejected_naming_the_tensor()
    {
        string path = Path.Combine(_dir, "type.tkd");
        TensorFile.Write(path, "{}"u8, [StoredTensor.Int8("weights", [1, 2, 3])]);
        byte[] file = File.ReadAllBytes(path);
        int tensor = 12 + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)) + 4;
        file[tensor + 2 + "weights".Length] = 77;
        File.WriteAllBytes(path, TkdContainer.Sealed(file));
        Check.Throws<InvalidDataException>(() => TensorFile.ReadStored(path), path, "'weights'", "unknown element type 77");
    }

    [Fact]
    public void A_version_1_model_file_still_loads()
    {
        var model = new Mlp(MlpSpec.Parse("3-4-2"), new Rng(5));
        string path = Path.Combine(_dir, "v1.tkd");
        File.WriteAllBytes(path, Version1File(
            """{"Architecture":"mlp","Sizes":[3,4,2],"Activation":"Relu","Dropout":0,"Stage":"fp32","Metadata":{}}""",
            model.NamedParameters().Select(p => (p.Name, p.Parameter.Data))));
        SavedModel loaded = ModelFile.Load(path);
        var x = Tensor.FromArray([0.1f, -0.7f, 2f, 1f, 0f, -1f], 2, 3);
        Assert.Equal(Evaluation.PredictLogits(model, x, 2), Evaluation.PredictLogits(loaded.Model, x, 2));
    }

    [Fact]
    public void An_mlp_around_given_layers_computes_what_the_original_does_and_keeps_its_names()
    {
        var model = new Mlp(MlpSpec.Parse("5-7-6-3", Activation.Relu, 0.2f), new Rng(3));
        var rebuilt = new Mlp(model.Spec, model.AffineLayers);
        Assert.Equal(model.NamedParameters().Select(p => p.Name), rebuilt.NamedParameters().Select(p => p.Name));
        Assert.Equal(model.ParameterCount(), rebuilt.StoredParameterCount());
        var x = Tensor.FromArray(Enumerable.Range(0, 10).Select(i => MathF.Sin(i)).ToArray(), 2, 5);
        Assert.Equal(Evaluation.PredictLogits(model, x, 3), Evaluation.PredictLogits(rebuilt, x, 3));
    }

    [Fact]
    public void An_mlp_rejects_layers_that_do_not_chain_through_its_sizes()
    {
        var spec = MlpSpec.Parse("5-7-3");
        var rng = new Rng(1);
        Check.Throws<ArgumentException>(() => new Mlp(spec, [new Linear(5, 6, rng), new Linear(6, 3, rng)]), "5-7-3", "5→6");
        Check.Throws<ArgumentException>(() => new Mlp(spec, [new Linear(5, 7, rng)]), "do not chain");
        Check.Throws<ArgumentException>(() => new Mlp(spec, [new Linear(5, 7, rng), new ReLU()]), "not an affine layer");
    }

    [Fact]
    public void A_fused_layer_spans_several_widths_with_nothing_inserted_inside()
    {
        var spec = MlpSpec.Parse("4-6-5-2");
        var rng = new Rng(2);
        var model = new Mlp(spec, [new Chain(4, 5, new Linear(4, 6, rng), new Linear(6, 5, rng)), new Linear(5, 2, rng)]);
        Assert.Equal(3, model.Count); // chain, activation, output layer
        Assert.IsType<Chain>(model[0]);
        Check.Throws<ArgumentException>(() => new Mlp(spec, [new Chain(4, 5, new Linear(4, 6, rng), new Linear(6, 5, rng))]), "do not chain");
    }

    [Fact]
    public void Model_files_record_each_layer_and_reject_unknown_kinds_wrong_stages_and_stray_tensors()
    {
        string path = Path.Combine(_dir, "m.tkd");
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("3-4-2", Activation.Relu, 0.1f), new Rng(5)));
        var written = System.Text.Json.Nodes.JsonNode.Parse(TkdContainer.Header(File.ReadAllBytes(path))!)!;
        Assert.Equal("fp32", (string?)written["Stage"]);
        Assert.Equal(["dense", "dense"], written["Layers"]!.AsArray().Select(l => (string?)l!["Kind"]));
        TkdContainer.EditHeader(path, h => h["Layers"]![1]!["Kind"] = "hologram");
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "'hologram'");

        ModelFile.Save(path, new Mlp(MlpSpec.Parse("3-4-2"), new Rng(5)));
        TkdContainer.EditHeader(path, h => h["Stage"] = "int8");
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "stage 'int8'", "'fp32'");

        ModelFile.Save(path, new Mlp(MlpSpec.Parse("3-4-2"), new Rng(5)));
        TkdContainer.EditHeader(path, h => h["Layers"]![0]!["Out"] = 5);
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "'0.weight'", "[5, 3]");

        ModelFile.Save(path, new Mlp(MlpSpec.Parse("3-4-2"), new Rng(5)));
        (byte[] header, var tensors) = TensorFile.ReadStored(path);
        TensorFile.Write(path, header, [.. tensors.Values, StoredTensor.Int8("9.extra", [1])]);
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "9.extra");
    }

    [Fact]
    public void Model_files_of_dropout_models_name_layers_by_their_index()
    {
        string path = Path.Combine(_dir, "d.tkd");
        var model = new Mlp(MlpSpec.Parse("3-4-4-2", Activation.Relu, 0.3f), new Rng(8));
        ModelFile.Save(path, model);
        Assert.Equal(["0.bias", "0.weight", "3.bias", "3.weight", "6.bias", "6.weight"], TensorFile.ReadStored(path).Tensors.Keys.Order());
        var x = Tensor.FromArray([0.3f, -2f, 1f], 1, 3);
        Assert.Equal(Evaluation.PredictLogits(model, x, 2), Evaluation.PredictLogits(ModelFile.Load(path).Model, x, 2));
    }

    // A fused two-layer stand-in (Linear → ReLU → Linear) that reports the depth of two.
    private sealed class Chain(int inFeatures, int outFeatures, Linear first, Linear second) : Layer, IAffineLayer
    {
        public int InFeatures => inFeatures;

        public int OutFeatures => outFeatures;

        public long StoredParameters => first.StoredParameters + second.StoredParameters;

        public int Depth => 2;

        public override Variable Forward(Variable input) => second.Forward(Ops.Relu(first.Forward(input)));
    }

    private static byte[] Version1File(string header, IEnumerable<(string Name, Tensor Data)> tensors)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            byte[] h = Encoding.UTF8.GetBytes(header);
            w.Write("TKDM"u8);
            w.Write(1u);
            w.Write((uint)h.Length);
            w.Write(h);
            var list = tensors.ToList();
            w.Write((uint)list.Count);
            foreach (var (name, data) in list)
            {
                w.Write((ushort)Encoding.UTF8.GetByteCount(name));
                w.Write(Encoding.UTF8.GetBytes(name));
                w.Write((byte)data.Rank);
                for (int d = 0; d < data.Rank; d++) w.Write(data.Shape[d]);
                foreach (float v in data.ToArray()) w.Write(v);
            }
            w.Write(0u);
        }
        return TkdContainer.Sealed(buffer.ToArray());
    }
}
