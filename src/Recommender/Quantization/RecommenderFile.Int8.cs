using System.Text.Json;
using TinyKd.Distill.Models;
using TinyKd.Tensors;

namespace TinyKd.Recommender;

// The int8 students' layout: architecture "mf-int8", the id ranges and the width in the header; the tables as int8
// codes with one float scale per row (user.codes [U, d] in ±127, item.codes [I, d] in ±64, user.scales [U],
// item.scales [I]) and the fp32 item biases (item_bias.weight [I]), in a version-2 TensorFile. The tables take a
// quarter of their fp32 bytes plus 4 bytes a row; loading rebuilds the same model, so its scores are identical.
// An int8 NeuMF ("neumf-int8") stores each of its five tables and each tower layer's weight the same way
// ({name}.codes, {name}.scales; tower.{k}.codes in ±64), the tower biases and the output layer in fp32 under their
// state-dictionary names, and the item genres as the fp32 NeuMF does.
public static partial class RecommenderFile
{
    private const string Int8Mf = "mf-int8";
    private const string Int8NeuMF = "neumf-int8";

    private static readonly string[] NeuMFTables = ["user_gmf", "item_gmf", "user_mlp", "item_mlp", "genre"];

    private static void SaveInt8(string path, QuantizedMatrixFactorization model, Header header)
    {
        header.Architecture = Int8Mf;
        header.Width = model.Width;
        StoredTensor[] tensors =
        [
            StoredTensor.Int8("user.codes", model.UserTable.Codes, model.UserCount, model.Width),
            StoredTensor.Float32("user.scales", model.UserTable.Scales),
            StoredTensor.Int8("item.codes", model.ItemTable.Codes, model.ItemCount, model.Width),
            StoredTensor.Float32("item.scales", model.ItemTable.Scales),
            StoredTensor.Float32("item_bias.weight", model.ItemBias),
        ];
        TensorFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(header), tensors);
    }

    // The header's sizes were checked positive; the tensors are checked by name, type and shape against them, and the
    // codes and scales by the tables' own checks.
    private static QuantizedMatrixFactorization LoadInt8(string path, Header header, Dictionary<string, StoredTensor> stored)
    {
        var tensors = new LayerTensors(stored, path);
        int users = header.Users, items = header.Items, width = header.Width;
        sbyte[] userCodes = tensors.Int8("user.codes", users, width), itemCodes = tensors.Int8("item.codes", items, width);
        float[] userScales = tensors.Float32("user.scales", users), itemScales = tensors.Float32("item.scales", items);
        float[] bias = tensors.Float32("item_bias.weight", items);
        if (tensors.Leftover.Count > 0) throw tensors.Error($"holds tensors an int8 MF does not have: {string.Join(", ", tensors.Leftover)}");
        try
        {
            return new QuantizedMatrixFactorization(
                Int8EmbeddingTable.FromQuantized(userCodes, userScales, users, width, QuantizedMatrixFactorization.UserMagnitude),
                Int8EmbeddingTable.FromQuantized(itemCodes, itemScales, items, width, Int8LinearWeight.MaxMagnitude), bias);
        }
        catch (ArgumentException e)
        {
            throw tensors.Error($"does not hold a valid int8 MF: {e.Message}");
        }
    }

    private static void SaveInt8(string path, QuantizedNeuMF model, Header header)
    {
        header.Architecture = Int8NeuMF;
        header.Width = model.Spec.Width;
        header.GenreWidth = model.Spec.GenreWidth;
        header.Hidden = model.Spec.Hidden;
        header.Genres = model.Genres.GenreCount;
        var tensors = new List<StoredTensor>();
        foreach (var (name, table) in NeuMFTables.Zip(model.Tables.All))
            tensors.AddRange(Codes(name, table));
        for (int k = 0; k < model.Tower.Count; k++)
        {
            tensors.AddRange(Codes($"tower.{2 * k}", model.Tower[k].Weight));
            tensors.Add(StoredTensor.Float32($"tower.{2 * k}.bias", model.Tower[k].Bias));
        }
        tensors.Add(StoredTensor.Float32("output.weight", model.OutputWeight.ToArray(), [1, model.OutputWeight.Length]));
        tensors.Add(StoredTensor.Float32("output.bias", [model.OutputBias]));
        tensors.Add(StoredTensor.Float32(GenreOffsets, model.Genres.Offsets.Select(v => (float)v).ToArray()));
        tensors.Add(StoredTensor.Float32(GenreIndices, model.Genres.Indices.Select(v => (float)v).ToArray()));
        TensorFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(header), [.. tensors]);
    }

    private static StoredTensor[] Codes(string name, Int8EmbeddingTable table) =>
        [StoredTensor.Int8($"{name}.codes", table.Codes, table.Rows, table.Width), StoredTensor.Float32($"{name}.scales", table.Scales)];

    // The header's sizes were checked positive (and the hidden widths and genre counts below); every tensor is checked
    // by name, type and shape against them before anything is built, and the codes and scales by the tables' own checks.
    private static QuantizedNeuMF LoadInt8NeuMF(string path, Header header, Dictionary<string, StoredTensor> stored)
    {
        var tensors = new LayerTensors(stored, path);
        int[] hidden = header.Hidden ?? [];
        if (header.GenreWidth <= 0 || header.Genres <= 0 || hidden.Length == 0 || Array.Exists(hidden, h => h <= 0))
            throw tensors.Error($"declares genre width {header.GenreWidth}, {header.Genres} genres and hidden widths [{string.Join(", ", hidden)}]; each must be positive");
        int users = header.Users, items = header.Items, d = header.Width;
        try
        {
            Int8EmbeddingTable Table(string name, int rows, int width, int magnitude) => Int8EmbeddingTable.FromQuantized(
                tensors.Int8($"{name}.codes", rows, width), tensors.Float32($"{name}.scales", rows), rows, width, magnitude);
            var tables = new QuantizedNeuMFTables(
                Table("user_gmf", users, d, QuantizedNeuMF.TableMagnitude), Table("item_gmf", items, d, Int8LinearWeight.MaxMagnitude),
                Table("user_mlp", users, d, QuantizedNeuMF.TableMagnitude), Table("item_mlp", items, d, QuantizedNeuMF.TableMagnitude),
                Table("genre", header.Genres, header.GenreWidth, QuantizedNeuMF.TableMagnitude));
            var tower = new List<(Int8EmbeddingTable, float[])>();
            int width = 2 * d + header.GenreWidth;
            for (int k = 0; k < hidden.Length; k++)
            {
                tower.Add((Table($"tower.{2 * k}", hidden[k], width, Int8LinearWeight.MaxMagnitude), tensors.Float32($"tower.{2 * k}.bias", hidden[k])));
                width = hidden[k];
            }
            float[] output = tensors.Float32("output.weight", 1, d + width), bias = tensors.Float32("output.bias", 1);
            var genres = new ItemGenres(Genre(tensors, GenreOffsets), Genre(tensors, GenreIndices), header.Genres);
            if (tensors.Leftover.Count > 0) throw tensors.Error($"holds tensors an int8 NeuMF does not have: {string.Join(", ", tensors.Leftover)}");
            return new QuantizedNeuMF(new NeuMFSpec(d, header.GenreWidth, hidden), genres, tables, tower, output, bias[0]);
        }
        catch (ArgumentException e)
        {
            throw tensors.Error($"does not hold a valid int8 NeuMF: {e.Message}");
        }
    }

    private static int[] Genre(LayerTensors tensors, string name)
    {
        StoredTensor t = tensors.TakeVector(name, ElementType.Float32);
        return WholeNumbers(t.ToFloat32(), true, name, t.ShapeText, tensors.Error);
    }
}
