using System.Text.Json;
using TinyKd.Distill.Models;
using TinyKd.Tensors;

namespace TinyKd.Distill.Recommender;

// The int8 students' layout: architecture "mf-int8", the id ranges and the width in the header; the tables as int8
// codes with one float scale per row (user.codes [U, d] in ±127, item.codes [I, d] in ±64, user.scales [U],
// item.scales [I]) and the fp32 item biases (item_bias.weight [I]), in a version-2 TensorFile. The tables take a
// quarter of their fp32 bytes plus 4 bytes a row; loading rebuilds the same model, so its scores are identical.
public static partial class RecommenderFile
{
    private const string Int8Mf = "mf-int8";

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
}
