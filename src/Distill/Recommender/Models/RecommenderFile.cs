using System.Text.Json;
using TinyKd.Distill.Models;
using TinyKd.Tensors;

namespace TinyKd.Distill.Recommender;

/// <summary>
/// Saves and loads recommenders in TinyKd's one model format (a <see cref="TensorFile"/>, <c>.tkd</c>): the JSON
/// header holds the architecture ("neumf" or "mf"), the id ranges and the widths; the tensors are the parameters by
/// state-dictionary name, plus for NeuMF the item genres (<c>item.genre_offsets</c>, <c>item.genres</c>, stored as
/// floats, exact below 2²⁴). Saving is atomic; a damaged or foreign file is refused naming the file.
/// </summary>
public static class RecommenderFile
{
    private const string GenreOffsets = "item.genre_offsets";
    private const string GenreIndices = "item.genres";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The model is of a kind this format does not know.</exception>
    public static void Save(string path, Recommender model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        var header = new Header { Users = model.UserCount, Items = model.ItemCount, Metadata = metadata?.ToDictionary() ?? [] };
        var tensors = model.NamedParameters().Select(np => (np.Name, np.Parameter.Data)).ToList();
        switch (model)
        {
            case NeuMF neumf:
                header.Architecture = "neumf";
                header.Width = neumf.Spec.Width;
                header.GenreWidth = neumf.Spec.GenreWidth;
                header.Hidden = neumf.Spec.Hidden;
                header.Genres = neumf.Genres.GenreCount;
                tensors.Add((GenreOffsets, Floats(neumf.Genres.Offsets)));
                tensors.Add((GenreIndices, Floats(neumf.Genres.Indices)));
                break;
            case MatrixFactorization mf:
                header.Architecture = "mf";
                header.Width = mf.Width;
                break;
            default:
                throw new ArgumentException($"{model.GetType().Name} has no model-file layout; save NeuMF or MatrixFactorization.", nameof(model));
        }
        TensorFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(header), tensors);
    }

    /// <summary>Reads a recommender written by <see cref="Save"/>, in evaluation mode.</summary>
    /// <exception cref="InvalidDataException">The file is not a recommender, or its tensors do not fit its header (named).</exception>
    public static Recommender Load(string path)
    {
        var (header, tensors) = TensorFile.ReadJson<Header>(path);
        InvalidDataException Error(string what) => new($"Model file '{path}' {what}.");
        Recommender model;
        try
        {
            model = header.Architecture switch
            {
                "neumf" => new NeuMF(header.Users, header.Items,
                    new ItemGenres(Ints(tensors, GenreOffsets, Error), Ints(tensors, GenreIndices, Error), header.Genres),
                    new NeuMFSpec(header.Width, header.GenreWidth, header.Hidden ?? []), new Rng(0)),
                "mf" => new MatrixFactorization(header.Users, header.Items, header.Width, new Rng(0)),
                _ => throw Error($"holds '{header.Architecture}', not a recommender (neumf or mf)"),
            };
            model.LoadStateDict(tensors);
        }
        catch (ArgumentException e)
        {
            throw Error($"does not match its own header: {e.Message}");
        }
        model.Eval();
        return model;
    }

    private static Tensor Floats(int[] values) => Tensor.FromArray(values.Select(v => (float)v).ToArray(), values.Length);

    private static int[] Ints(Dictionary<string, Tensor> tensors, string name, Func<string, InvalidDataException> error)
    {
        if (!tensors.Remove(name, out Tensor t)) throw error($"lacks the tensor '{name}'");
        return t.ToArray().Select(v => (int)v).ToArray();
    }

    private sealed class Header
    {
        public string Architecture { get; set; } = "";
        public int Users { get; set; }
        public int Items { get; set; }
        public int Width { get; set; }
        public int GenreWidth { get; set; }
        public int[]? Hidden { get; set; }
        public int Genres { get; set; }
        public Dictionary<string, string>? Metadata { get; set; }
    }
}
