using System.Globalization;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;

namespace TinyKd.Recommender;

/// <summary>
/// A fp32 recommender as the <c>.safetensors</c> state dictionary of the equivalent PyTorch module, the
/// <c>MF</c> and <c>NeuMF</c> of <c>scripts/recsys_pytorch.py</c> (docs/interop.md):
/// <list type="bullet">
/// <item><see cref="MatrixFactorization"/>: <c>user.weight</c> [users, d], <c>item.weight</c> [items, d],
/// <c>item_bias.weight</c> [items, 1] (three <c>nn.Embedding</c>) — TinyKd's own names.</item>
/// <item><see cref="NeuMF"/>: <c>user_gmf.weight</c>, <c>item_gmf.weight</c>, <c>user_mlp.weight</c>,
/// <c>item_mlp.weight</c> (<c>nn.Embedding</c>, [count, d]), <c>genre.weight</c> [genres, g]
/// (<c>nn.EmbeddingBag(mode="mean")</c>), <c>mlp.N.weight</c>/<c>mlp.N.bias</c> (the tower's
/// <c>nn.Sequential</c> of Linear and ReLU, N = 0, 2, 4, …) and <c>out.weight</c> [1, d + last hidden], <c>out.bias</c>
/// [1]. TinyKd calls the tower <c>tower</c> and the output layer <c>output</c>; the file uses PyTorch's names.</item>
/// </list>
/// A NeuMF's item genres are data, not parameters (the PyTorch module keeps them in non-persistent buffers): they are
/// stored beside the state dictionary as <c>item_genres.offsets</c> [items + 1] and <c>item_genres.indices</c>
/// (whole numbers as float32, exact below 2²⁴; item i's genres are indices[offsets[i] .. offsets[i + 1])), which a
/// PyTorch user pops before <c>load_state_dict</c>. The metadata records the architecture as strings:
/// <c>format</c> = "pt", <c>tinykd.architecture</c> ("mf" or "neumf"), <c>tinykd.users</c>, <c>tinykd.items</c>,
/// <c>tinykd.width</c>, and for NeuMF <c>tinykd.genre_width</c>, <c>tinykd.hidden</c> ("16-8") and <c>tinykd.genres</c>.
/// </summary>
public static class RecommenderSafeTensors
{
    /// <summary>The name of the NeuMF genre offsets tensor.</summary>
    public const string GenreOffsets = "item_genres.offsets";

    /// <summary>The name of the NeuMF genre indices tensor.</summary>
    public const string GenreIndices = "item_genres.indices";

    // TinyKd's module names → PyTorch's (recsys_pytorch.py's NeuMF: self.mlp, self.out).
    private static readonly (string TinyKd, string PyTorch)[] NeuMFRenames = [("tower.", "mlp."), ("output.", "out.")];

    /// <summary>
    /// The name PyTorch's equivalent module gives the TinyKd parameter <paramref name="name"/> of
    /// <paramref name="model"/> (see the class summary).
    /// </summary>
    public static string PyTorchName(RecommenderModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(name);
        if (model is not NeuMF) return name;
        foreach (var (tinyKd, pyTorch) in NeuMFRenames)
            if (name.StartsWith(tinyKd, StringComparison.Ordinal)) return pyTorch + name[tinyKd.Length..];
        return name;
    }

    /// <summary>
    /// The state dictionary of <paramref name="model"/> under PyTorch's names, plus a NeuMF's genre table.
    /// </summary>
    /// <exception cref="ArgumentException">The model is int8 (<see cref="QuantizedMatrixFactorization"/>,
    /// <see cref="QuantizedNeuMF"/>) or of another kind: export the fp32 model it was quantized from.</exception>
    public static List<StoredTensor> StateDict(RecommenderModel model)
    {
        Check(model);
        var tensors = model.NamedParameters().Select(np => StoredTensor.Float32(PyTorchName(model, np.Name), np.Parameter.Data)).ToList();
        if (model is NeuMF neumf)
        {
            tensors.Add(Floats(GenreOffsets, neumf.Genres.Offsets));
            tensors.Add(Floats(GenreIndices, neumf.Genres.Indices));
        }
        return tensors;
    }

    /// <summary>The metadata <see cref="Export"/> writes for <paramref name="model"/> (see the class summary).</summary>
    /// <exception cref="ArgumentException">As for <see cref="StateDict"/>.</exception>
    public static Dictionary<string, string> Metadata(RecommenderModel model)
    {
        Check(model);
        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            ["tinykd.users"] = Text(model.UserCount),
            ["tinykd.items"] = Text(model.ItemCount),
        };
        if (model is NeuMF neumf)
        {
            metadata["tinykd.architecture"] = "neumf";
            metadata["tinykd.width"] = Text(neumf.Spec.Width);
            metadata["tinykd.genre_width"] = Text(neumf.Spec.GenreWidth);
            metadata["tinykd.hidden"] = string.Join("-", neumf.Spec.Hidden.Select(Text));
            metadata["tinykd.genres"] = Text(neumf.Genres.GenreCount);
        }
        else
        {
            metadata["tinykd.architecture"] = "mf";
            metadata["tinykd.width"] = Text(((MatrixFactorization)model).Width);
        }
        return metadata;
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as <c>.safetensors</c> (atomically).</summary>
    /// <exception cref="ArgumentException">As for <see cref="StateDict"/>.</exception>
    public static void Export(string path, RecommenderModel model) =>
        SafeTensorsFile.Write(path, StateDict(model), Metadata(model));

    private static void Check(RecommenderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is QuantizedMatrixFactorization or QuantizedNeuMF)
            throw new ArgumentException(
                $"The recommender is int8 ({model.Architecture}); safetensors export writes fp32 weights only: export the fp32 model it was quantized from " +
                "(tinykd recsys pipeline saves it beside the int8 one).", nameof(model));
        if (model is not (MatrixFactorization or NeuMF))
            throw new ArgumentException($"{model.GetType().Name} has no safetensors layout; export a MatrixFactorization or a NeuMF.", nameof(model));
    }

    private static StoredTensor Floats(string name, int[] values) => StoredTensor.Float32(name, values.Select(v => (float)v).ToArray());
}
