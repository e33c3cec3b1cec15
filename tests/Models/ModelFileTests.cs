using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Models;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SavedModelPath(string name = "m.tkd")
    {
        string path = Path.Combine(_dir, name);
        var model = new Mlp(MlpSpec.Parse("6-5-3", Activation.Gelu, 0.25f), new Rng(9));
        ModelFile.Save(path, model, new Standardizer([0.5f], [2f]), new Dictionary<string, string> { ["stage"] = "test" });
        return path;
    }

    [Fact]
    public void Save_then_load_round_trips_architecture_weights_preprocessing_and_metadata()
    {
        var model = new Mlp(MlpSpec.Parse("6-5-3", Activation.Gelu, 0.25f), new Rng(9));
        string path = SavedModelPath();
        SavedModel loaded = ModelFile.Load(path);
        Assert.Equal("6-5-3", loaded.Model.Spec.ToString());
        Assert.Equal(Activation.Gelu, loaded.Model.Spec.Activation);
        Assert.Equal(0.25f, loaded.Model.Spec.Dropout);
        Assert.False(loaded.Model.IsTraining);
        foreach (var ((name, expected), (_, actual)) in model.NamedParameters().Zip(loaded.Model.NamedParameters()))
            Assert.True(expected.Data.ToArray().SequenceEqual(actual.Data.ToArray()), $"parameter {name} differs");
        Assert.Equal([0.5f], loaded.Standardizer!.Mean);
        Assert.Equal("test", loaded.Metadata["stage"]);
    }

    [Fact]
    public void Class_names_round_trip_in_output_order()
    {
        string path = Path.Combine(_dir, "named.tkd");
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("6-5-3", Activation.Relu, 0f), new Rng(9)), classNames: ["zeta", "alpha", "mu"]);

        Assert.Equal(["zeta", "alpha", "mu"], ModelFile.Load(path).ClassNames);
    }

    [Fact]
    public void A_model_saved_without_class_names_loads_with_none()
    {
        Assert.Null(ModelFile.Load(SavedModelPath()).ClassNames);
    }

    [Fact]
    public void Save_rejects_class_names_that_do_not_match_the_outputs()
    {
        var model = new Mlp(MlpSpec.Parse("6-5-3", Activation.Relu, 0f), new Rng(9));

        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(Path.Combine(_dir, "x.tkd"), model, classNames: ["a", "b"]));

        Assert.Equal("classNames", e.ParamName);
        Assert.Contains("2 names for 3 outputs", e.Message);
    }

    [Fact]
    public void Save_leaves_no_temporary_file_and_replaces_an_existing_model()
    {
        string path = SavedModelPath();
        SavedModelPath();
        Assert.Equal(["m.tkd"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Load_rejects_a_foreign_file_naming_it()
    {
        string path = Path.Combine(_dir, "foreign.tkd");
        File.WriteAllText(path, "this is not a model at all");
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "not a TinyKd model");
    }

    [Fact]
    public void Load_rejects_a_truncated_file_naming_it()
    {
        string path = SavedModelPath();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "truncated");
    }

    [Fact]
    public void Load_rejects_a_corrupted_byte_through_the_checksum()
    {
        string path = SavedModelPath();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "checksum");
    }

    [Fact]
    public void Load_rejects_another_format_version()
    {
        string path = SavedModelPath();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[4] = 99;
        File.WriteAllBytes(path, bytes);
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "version 99");
    }

    [Fact]
    public void Load_of_a_missing_file_names_it() =>
        Check.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_dir, "absent.tkd")), "absent.tkd");

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
}
