using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// The pruned int8 <see cref="SparseQuantizedLinear"/> layer: <c>PREFIX.row_starts</c> (int32, one per block row + 1),
/// <c>PREFIX.column_indices</c> (uint16, one per 8×1 block), <c>PREFIX.values</c> (int8, 8 per block, in the
/// interleaved order of <see cref="SparseInt8Matrix.Values"/>), <c>PREFIX.scales</c> (float32 [Out]) and, when the
/// layer has one, <c>PREFIX.bias</c> (float32 [Out]). The header record keeps the value layout and, for a static
/// activation quantization, its scale and zero point.
/// </summary>
public sealed class SparseInt8LayerCodec : IAffineLayerCodec
{
    /// <summary>The value layout written in the record: 8×1 blocks, 7-bit values, interleaved in groups of 4 blocks.</summary>
    public const string Layout = "blocked8x1-int7-group4";

    /// <inheritdoc />
    public string Kind => "sparse-int8";

    /// <inheritdoc />
    public bool CanWrite(Layer layer) => layer is SparseQuantizedLinear;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Write(Layer layer, string prefix, ICollection<StoredTensor> tensors)
    {
        var sparse = (SparseQuantizedLinear)layer;
        SparseInt8Matrix w = sparse.Weight;
        tensors.Add(StoredTensor.Int32(prefix + "row_starts", w.RowStarts));
        tensors.Add(StoredTensor.UInt16(prefix + "column_indices", w.ColumnIndices));
        tensors.Add(StoredTensor.Int8(prefix + "values", w.Values));
        tensors.Add(StoredTensor.Float32(prefix + "scales", w.Scales, w.Rows));
        if (sparse.HasBias) tensors.Add(StoredTensor.Float32(prefix + "bias", sparse.Bias, w.Rows));
        var attributes = new Dictionary<string, string> { ["layout"] = Layout };
        ActivationAttributes.Write(sparse.Activation, attributes);
        return attributes;
    }

    /// <inheritdoc />
    public Layer Read(LayerRecord record, string prefix, LayerTensors tensors)
    {
        string layout = record.Attribute("layout", tensors);
        if (layout != Layout)
            throw tensors.Error($"has a {Kind} layer '{prefix}' with value layout '{layout}'; this TinyKd reads '{Layout}'");
        ActivationQuantization? activation = ActivationAttributes.Read(record, prefix, tensors);
        int blockRows = (record.Out + SparseInt8Matrix.BlockHeight - 1) / SparseInt8Matrix.BlockHeight;
        int[] rowStarts = tensors.Int32(prefix + "row_starts", blockRows + 1);
        ushort[] columnIndices = tensors.TakeVector(prefix + "column_indices", ElementType.UInt16).ToUInt16();
        sbyte[] values = tensors.TakeVector(prefix + "values", ElementType.Int8).ToInt8();
        float[] scales = tensors.Float32(prefix + "scales", record.Out);
        float[]? bias = tensors.Contains(prefix + "bias") ? tensors.Float32(prefix + "bias", record.Out) : null;
        SparseInt8Matrix weight;
        try
        {
            weight = SparseInt8Matrix.FromParts(record.Out, record.In, rowStarts, columnIndices, values, scales);
        }
        catch (ArgumentException e)
        {
            string tensor = e.ParamName switch
            {
                "rowStarts" => "row_starts",
                "columnIndices" => "column_indices",
                "values" => "values",
                "scales" => "scales",
                _ => "row_starts",
            };
            throw tensors.Error($"has an invalid tensor '{prefix}{tensor}': {e.Message}");
        }
        return new SparseQuantizedLinear(weight, bias, activation);
    }
}
