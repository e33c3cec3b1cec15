using System.Text.Json;
using TinyKd.Distill.Models;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// Saves and loads recommenders in TinyKd's one model format (a <see cref="TensorFile"/>, <c>.tkd</c>): the JSON
/// header holds the architecture ("neumf" or "mf"), the id ranges and the widths; the tensors are the parameters by
/// state-dictionary name, plus for NeuMF the item genres (<c>item.genre_offsets</c>, <c>item.genres</c>, stored as
/// floats, exact below 2²⁴). An int8 MF (<see cref="QuantizedMatrixFactorization"/>) or NeuMF
/// (<see cref="QuantizedNeuMF"/>) stores its tables and weights as int8 codes with per-row scales (RecommenderFile.Int8.cs). Saving is atomic; a damaged or foreign file is refused naming the file.
/// </summary>
public static partial class RecommenderFile
{
    private const string GenreOffsets = "item.genre_offsets";
    private const string GenreIndices = "item.genres";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The model is of a kind this format does not know.</exception>
    public static void Save(string path, RecommenderModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        var header = new Header { Users = model.UserCount, Items = model.ItemCount, Metadata = metadata?.ToDictionary() ?? [] };
        if (model is QuantizedMatrixFactorization int8)
        {
            SaveInt8(path, int8, header);
            return;
        }
        if (model is QuantizedNeuMF int8NeuMF)
        {
            SaveInt8(path, int8NeuMF, header);
            return;
        }
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

    /// <summary>
    /// Reads a recommender written by <see cref="Save"/>, in evaluation mode. The header is validated against the
    /// file before the model is built: positive user, item and width counts (and for NeuMF a positive genre width and
    /// genre count, positive hidden widths, and genre tables of whole numbers), and exactly as many parameters in the
    /// file as the header's sizes need, so no header can make the reader allocate more than the file holds.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is damaged, not a recommender, or its header is inconsistent with itself or its tensors (the message
    /// names the file and the fault).
    /// </exception>
    public static RecommenderModel Load(string path)
    {
        var (header, stored) = TensorFile.ReadStoredJson<Header>(path);
        InvalidDataException Error(string what) => new($"Model file '{path}' {what}.");
        if (header.Architecture is not ("neumf" or "mf" or Int8Mf or Int8NeuMF))
            throw Error($"holds '{header.Architecture}', not a recommender (neumf, mf, {Int8Mf} or {Int8NeuMF})");
        if (header.Users <= 0 || header.Items <= 0 || header.Width <= 0)
            throw Error($"declares {header.Users} users, {header.Items} items and width {header.Width}; each must be positive");
        if (header.Metadata is { } metadata && metadata.Any(kv => kv.Value is null))
            throw Error($"has metadata '{metadata.First(kv => kv.Value is null).Key}' without a value");
        if (header.Architecture == Int8Mf) return LoadInt8(path, header, stored);
        if (header.Architecture == Int8NeuMF) return LoadInt8NeuMF(path, header, stored);
        StoredTensor? notFloat = stored.Values.FirstOrDefault(t => t.Type != ElementType.Float32);
        if (notFloat is not null) throw Error($"has tensor '{notFloat.Name}' of {notFloat.Type} elements; a {header.Architecture} holds only Float32");
        Dictionary<string, Tensor> tensors = stored.ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor());
        ItemGenres? genres = null;
        int[] hidden = header.Hidden ?? [];
        Int128 expected = ((Int128)header.Users + header.Items) * header.Width + header.Items;
        if (header.Architecture == "neumf")
        {
            if (header.GenreWidth <= 0 || header.Genres <= 0 || Array.Exists(hidden, h => h <= 0))
                throw Error($"declares genre width {header.GenreWidth}, {header.Genres} genres and hidden widths " +
                            $"[{string.Join(", ", hidden)}]; each must be positive");
            genres = ReadGenres(header, tensors, Error);
            expected = NeuMFParameters(header, hidden);
        }
        long held = tensors.Values.Sum(t => (long)t.Length);
        if (expected != held)
            throw Error($"declares a {header.Architecture} of {header.Users} users, {header.Items} items and width {header.Width}, " +
                        $"which needs {expected} parameters, but holds {held}");
        RecommenderModel model;
        try
        {
            model = genres is null
                ? new MatrixFactorization(header.Users, header.Items, header.Width, new Rng(0))
                : new NeuMF(header.Users, header.Items, genres, new NeuMFSpec(header.Width, header.GenreWidth, hidden), new Rng(0));
            model.LoadStateDict(tensors);
        }
        catch (ArgumentException e)
        {
            throw Error($"does not match its own header: {e.Message}");
        }
        model.Eval();
        return model;
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a TinyKd model file whose header names a recommender (MF or NeuMF, fp32 or
    /// int8) rather than an MLP; <see cref="Load"/> then reads it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a TinyKd model file or is damaged.</exception>
    public static bool Holds(string path) =>
        TensorFile.ReadStoredJson<Header>(path).Header.Architecture is "neumf" or "mf" or Int8Mf or Int8NeuMF;

    // Two embeddings of users and two of items (GMF and MLP paths), the genre embedding, the tower and the output layer.
    private static Int128 NeuMFParameters(Header header, int[] hidden)
    {
        Int128 count = 2 * ((Int128)header.Users + header.Items) * header.Width + (Int128)header.Genres * header.GenreWidth;
        Int128 width = 2 * (Int128)header.Width + header.GenreWidth;
        foreach (int h in hidden)
        {
            count += width * h + h;
            width = h;
        }
        return count + header.Width + width + 1;
    }

    private static ItemGenres ReadGenres(Header header, Dictionary<string, Tensor> tensors, Func<string, InvalidDataException> error)
    {
        int[] offsets = Ints(tensors, GenreOffsets, error);
        int[] indices = Ints(tensors, GenreIndices, error);
        try
        {
            return new ItemGenres(offsets, indices, header.Genres);
        }
        catch (ArgumentException e)
        {
            throw error($"has an invalid genre table: {e.Message}");
        }
    }

    private static Tensor Floats(int[] values) => Tensor.FromArray(values.Select(v => (float)v).ToArray(), values.Length);

    // The genre tables are whole numbers stored as floats, exact up to 2^24.
    private static int[] Ints(Dictionary<string, Tensor> tensors, string name, Func<string, InvalidDataException> error)
    {
        if (!tensors.Remove(name, out Tensor t)) throw error($"lacks the tensor '{name}'");
        return WholeNumbers(t.ToArray(), t.Rank == 1, name, t.Shape.ToString(), error);
    }

    private static int[] WholeNumbers(float[] values, bool vector, string name, string shape, Func<string, InvalidDataException> error)
    {
        int bad = Array.FindIndex(values, v => !(v >= 0 && v <= 1 << 24 && v == MathF.Floor(v)));
        if (!vector || bad >= 0)
            throw error($"has a tensor '{name}' of shape {shape} that is not a list of whole numbers in [0, 2^24]" +
                        (bad >= 0 ? $" (element {bad} is {values[bad]})" : ""));
        return values.Select(v => (int)v).ToArray();
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
