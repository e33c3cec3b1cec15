using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Interop;

// Recommenders to .safetensors under the names of scripts/recsys_pytorch.py's modules. The PyTorch side:
// scripts/make_recsys_safetensors_fixture.py loaded the checked-in exports of the two seeded models below
// (tests/Fixtures/safetensors/tinykd-mf.safetensors, tinykd-neumf.safetensors) into those modules with
// load_state_dict(strict=True) and wrote their scores of every (user, item) pair to recsys-torch.json.
public sealed class RecommenderSafeTensorsTests : IDisposable
{
    private const int Users = 12, Items = 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-recsys-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", name);

    /// <summary>The fixture MF: 12 users, 20 items, width 4, every parameter (the item biases too) drawn from seed 7.</summary>
    internal static MatrixFactorization Mf() => Randomized(new MatrixFactorization(Users, Items, 4, new Rng(7)), 7);

    /// <summary>The fixture NeuMF: 12 users, 20 items of 5 genres (item 7 has none), d4 g3 6-5, every parameter from seed 8.</summary>
    internal static NeuMF NeuMF()
    {
        var offsets = new List<int> { 0 };
        var indices = new List<int>();
        for (int i = 0; i < Items; i++)
        {
            if (i != 7) indices.Add(i % 5);
            if (i % 3 == 0) indices.Add((i + 2) % 5);
            offsets.Add(indices.Count);
        }
        var genres = new ItemGenres([.. offsets], [.. indices], 5);
        return Randomized(new NeuMF(Users, Items, genres, new NeuMFSpec(4, 3, [6, 5]), new Rng(8)), 8);
    }

    // Every parameter uniform in [-0.5, 0.5), so that no tensor (the zero-initialised item biases included) could be
    // swapped with another or dropped without changing the scores.
    private static T Randomized<T>(T model, ulong seed) where T : RecommenderModel
    {
        var rng = new Rng(seed);
        foreach (var (_, parameter) in model.NamedParameters()) rng.FillUniform(parameter.Data.Span, -0.5f, 0.5f);
        model.Eval();
        return model;
    }

    private static float[] ScoreAll(RecommenderModel model)
    {
        var scores = new float[Users * Items];
        model.ScoreAll([.. Enumerable.Range(0, Users)], scores);
        return scores;
    }

    private SafeTensorsContent ExportedAndReadBack(RecommenderModel model)
    {
        string path = Path.Combine(_dir, "model.safetensors");
        RecommenderSafeTensors.Export(path, model);
        return SafeTensorsFile.Read(path);
    }

    [Fact]
    public void Mf_exports_under_the_names_of_the_pytorch_MF_module_with_its_values()
    {
        MatrixFactorization mf = Mf();
        SafeTensorsContent read = ExportedAndReadBack(mf);
        Assert.Equal(["item.weight", "item_bias.weight", "user.weight"], read.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([Items, 1], read.Tensors["item_bias.weight"].Dims);
        foreach (var (name, parameter) in mf.NamedParameters())
            Assert.Equal(parameter.Data.ToArray(), read.Tensors[name].ToFloat32());
        Assert.Equal(("mf", "12", "20", "4"), (read.Metadata["tinykd.architecture"], read.Metadata["tinykd.users"], read.Metadata["tinykd.items"], read.Metadata["tinykd.width"]));
    }

    [Fact]
    public void NeuMF_exports_under_the_names_of_the_pytorch_NeuMF_module_with_its_values_and_genres()
    {
        NeuMF neumf = NeuMF();
        SafeTensorsContent read = ExportedAndReadBack(neumf);
        string[] pytorch =
        [
            "genre.weight", "item_genres.indices", "item_genres.offsets", "item_gmf.weight", "item_mlp.weight",
            "mlp.0.bias", "mlp.0.weight", "mlp.2.bias", "mlp.2.weight", "out.bias", "out.weight", "user_gmf.weight", "user_mlp.weight",
        ];
        Assert.Equal(pytorch, read.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1, 4 + 5], read.Tensors["out.weight"].Dims);
        Assert.Equal([6, 2 * 4 + 3], read.Tensors["mlp.0.weight"].Dims);
        foreach (var (name, parameter) in neumf.NamedParameters())
            Assert.Equal(parameter.Data.ToArray(), read.Tensors[RecommenderSafeTensors.PyTorchName(neumf, name)].ToFloat32());
        Assert.Equal(neumf.Genres.Offsets.Select(o => (float)o), read.Tensors[RecommenderSafeTensors.GenreOffsets].ToFloat32());
        Assert.Equal(neumf.Genres.Indices.Select(o => (float)o), read.Tensors[RecommenderSafeTensors.GenreIndices].ToFloat32());
        Assert.Equal(("neumf", "3", "6-5", "5"), (read.Metadata["tinykd.architecture"], read.Metadata["tinykd.genre_width"], read.Metadata["tinykd.hidden"], read.Metadata["tinykd.genres"]));
    }

    [Theory]
    [InlineData("tinykd-mf.safetensors")]
    [InlineData("tinykd-neumf.safetensors")]
    public void The_checked_in_exports_that_PyTorch_loaded_are_what_TinyKd_exports_today(string fixture)
    {
        RecommenderModel model = fixture.Contains("neumf") ? NeuMF() : Mf();
        var expected = SafeTensorsFile.Read(FixturePath(fixture));
        var actual = RecommenderSafeTensors.StateDict(model).ToDictionary(t => t.Name);
        Assert.Equal(expected.Tensors.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected.Tensors)
        {
            Assert.Equal(tensor.Dims, actual[name].Dims);
            Assert.True(tensor.ToFloat32().SequenceEqual(actual[name].ToFloat32()), $"{fixture}: tensor '{name}' differs from today's export");
        }
        Assert.Equal(expected.Metadata, RecommenderSafeTensors.Metadata(model));
    }

    [Theory]
    [InlineData("mf")]
    [InlineData("neumf")]
    public void PyTorchs_module_loaded_from_the_export_scores_every_pair_as_TinyKd_does(string kind)
    {
        RecommenderModel model = kind == "neumf" ? NeuMF() : Mf();
        Tensor torch = Fixture.Load("safetensors/recsys-torch").Get(kind + ".scores");
        Assert.Equal(Users * Items, torch.Length);
        Check.Close(torch.Span, ScoreAll(model), atol: 1e-5, rtol: 0, what: $"{kind}: PyTorch's scores against TinyKd's");
    }

    [Fact]
    public void An_int8_recommender_is_refused_with_a_pointer_to_the_fp32_model()
    {
        Check.Throws<ArgumentException>(() => RecommenderSafeTensors.StateDict(QuantizedMatrixFactorization.Quantize(Mf())), "int8", "mf d4 int8", "export the fp32 model");
        Check.Throws<ArgumentException>(() => RecommenderSafeTensors.Export(Path.Combine(_dir, "q.safetensors"), QuantizedNeuMF.Quantize(NeuMF())), "int8", "fp32");
        Assert.False(File.Exists(Path.Combine(_dir, "q.safetensors")));
    }

    [Fact]
    public void Model_files_tell_a_recommender_from_an_MLP()
    {
        string recommender = Path.Combine(_dir, "mf.tkd"), mlp = Path.Combine(_dir, "mlp.tkd");
        RecommenderFile.Save(recommender, Mf());
        ModelFile.Save(mlp, new TinyKd.Autograd.Nn.Mlp(TinyKd.Autograd.Nn.MlpSpec.Parse("4-2"), new Rng(1)));
        Assert.True(RecommenderFile.Holds(recommender));
        Assert.False(RecommenderFile.Holds(mlp));
    }
}
