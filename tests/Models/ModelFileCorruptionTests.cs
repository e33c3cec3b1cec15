using System.Buffers.Binary;
using System.Text.Json.Nodes;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Tensors;
using TinyKd.Tests.Data;
using TinyKd.Tests.Fuzz;

namespace TinyKd.Tests.Models;

/// <summary>
/// Model files whose checksum is valid but whose header is inconsistent with itself or with the tensors: each is
/// refused with an <see cref="InvalidDataException"/> naming the file, before the network is built.
/// </summary>
public sealed class ModelFileCorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Saved(bool standardized = true)
    {
        string path = _dir.File("model.tkd");
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("4-3-2", Activation.Relu, 0.1f), new Rng(1)),
            standardized ? new Standardizer([0, 1, 2, 3], [1, 1, 1, 1]) : null);
        return path;
    }

    private string Edited(Action<JsonObject> edit)
    {
        string path = Saved();
        TkdContainer.EditHeader(path, edit);
        return path;
    }

    private static InvalidDataException Rejected(string path)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains(path, e.Message);
        return e;
    }

    [Theory]
    [InlineData("Relu,Tanh")]
    [InlineData("1")]
    [InlineData("relu")]
    public void Load_rejects_an_activation_that_is_not_exactly_one_known_name(string activation)
    {
        var e = Rejected(Edited(h => h["Activation"] = activation));
        Assert.Contains($"unknown activation '{activation}'", e.Message);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(1f)]
    public void Load_rejects_dropout_outside_zero_to_one(float dropout)
    {
        var e = Rejected(Edited(h => h["Dropout"] = dropout));
        Assert.Contains("dropout", e.Message);
    }

    [Fact]
    public void Load_rejects_layer_sizes_the_file_has_no_parameters_for_before_allocating_them()
    {
        string path = Edited(h => h["Sizes"] = new JsonArray(4, 30000, 30000, 2));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Rejected(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("4-30000-30000-2", e.Message);
        Assert.InRange(allocated, 0, 4L << 20);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Load_rejects_a_layer_size_that_is_not_positive(int size)
    {
        var e = Rejected(Edited(h => h["Sizes"] = new JsonArray(4, size, 2)));
        Assert.Contains("positive", e.Message);
    }

    [Fact]
    public void Load_rejects_a_declared_standardisation_whose_tensor_is_missing()
    {
        string path = Saved(standardized: false);
        TkdContainer.EditHeader(path, h => h["Standardized"] = true);

        var e = Rejected(path);

        Assert.Contains("input.mean", e.Message);
    }

    [Fact]
    public void Load_rejects_a_standardisation_that_is_neither_global_nor_one_per_input()
    {
        string path = _dir.File("model.tkd");
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("4-3-2"), new Rng(1)), new Standardizer([0, 1, 2], [1, 1, 1]));

        var e = Rejected(path);

        Assert.Contains("[1] (global) or [4] (per feature)", e.Message);
    }

    [Fact]
    public void Load_reads_a_global_standardisation()
    {
        string path = _dir.File("model.tkd");
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("4-3-2"), new Rng(1)), new Standardizer([0.5f], [2f]));

        Assert.Equal([0.5f], ModelFile.Load(path).Standardizer!.Mean);
    }

    [Fact]
    public void Load_rejects_a_standardisation_the_header_does_not_declare()
    {
        var e = Rejected(Edited(h => h["Standardized"] = false));
        Assert.Contains("declares no input standardisation", e.Message);
    }

    [Fact]
    public void Load_reads_a_file_written_before_the_standardisation_was_declared()
    {
        string path = Edited(h => h.Remove("Standardized"));

        Assert.NotNull(ModelFile.Load(path).Standardizer);
    }

    [Fact]
    public void Load_rejects_a_missing_architecture_field()
    {
        var e = Rejected(Edited(h => h.Remove("Sizes")));
        Assert.Contains("layer sizes", e.Message);
    }

    [Fact]
    public void Read_rejects_a_tensor_dimension_larger_than_the_file_before_allocating_it()
    {
        string path = Saved();
        byte[] file = File.ReadAllBytes(path);
        int header = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8));
        int firstTensor = 12 + header + 4;
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(firstTensor));
        // name length, name, element type, rank, then the first dimension
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(firstTensor + 2 + nameLength + 2), int.MaxValue - 55);
        File.WriteAllBytes(path, TkdContainer.Sealed(file));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Rejected(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("needs", e.Message);
        Assert.InRange(allocated, 0, 1L << 20);
    }

    [Theory]
    [InlineData(new[] { "a" }, "hold 1 names for 2 outputs")]
    [InlineData(new[] { "a", "a" }, "name 'a' twice")]
    [InlineData(new[] { "a", "" }, "hold an empty name")]
    public void Load_rejects_class_names_that_do_not_fit_the_outputs(string[] names, string fault)
    {
        var e = Rejected(Edited(h => h["ClassNames"] = new JsonArray(names.Select(n => (JsonNode)n!).ToArray())));
        Assert.Contains($"class names that do not fit its 2 outputs: they {fault}", e.Message);
    }
}
