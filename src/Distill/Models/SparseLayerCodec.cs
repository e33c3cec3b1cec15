using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// The pruned <see cref="SparseLinear"/> layer, stored as the arrays of its <see cref="SparseMatrix"/> so the bytes
/// shrink with sparsity: <c>PREFIX.row_starts</c> int32 [unit rows + 1], <c>PREFIX.column_indices</c> uint16
/// [units], <c>PREFIX.values</c> float32 [units × unit height] and, when the layer has one, <c>PREFIX.bias</c>
/// float32 [Out]; the header record's <c>format</c> attribute is "blocked" or "csr".
/// </summary>
public sealed class SparseLayerCodec : IAffineLayerCodec
{
    /// <inheritdoc />
    public string Kind => "sparse";

    /// <inheritdoc />
    public bool CanWrite(Layer layer) => layer is SparseLinear;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Write(Layer layer, string prefix, ICollection<StoredTensor> tensors)
    {
        var sparse = (SparseLinear)layer;
        SparseMatrix w = sparse.Weight;
        tensors.Add(StoredTensor.Int32(prefix + "row_starts", w.RowStarts, w.RowStarts.Length));
        tensors.Add(StoredTensor.UInt16(prefix + "column_indices", w.ColumnIndices, w.ColumnIndices.Length));
        tensors.Add(StoredTensor.Float32(prefix + "values", w.Values, w.Values.Length));
        if (sparse.HasBias) tensors.Add(StoredTensor.Float32(prefix + "bias", sparse.Bias, w.Rows));
        return new Dictionary<string, string> { ["format"] = w.Format == SparseFormat.Blocked ? "blocked" : "csr" };
    }

    /// <inheritdoc />
    public Layer Read(LayerRecord record, string prefix, LayerTensors tensors)
    {
        SparseFormat format = record.Attribute("format", tensors) switch
        {
            "blocked" => SparseFormat.Blocked,
            "csr" => SparseFormat.Csr,
            string other => throw tensors.Error($"has sparse layer '{prefix}' in the unknown format '{other}' (blocked or csr)"),
        };
        int height = format == SparseFormat.Blocked ? SparseMatrix.BlockHeight : 1;
        if (record.In > SparseMatrix.MaxColumns)
            throw tensors.Error($"has sparse layer '{prefix}' with {record.In} inputs; 16-bit indices address at most {SparseMatrix.MaxColumns}");
        int[] rowStarts = tensors.Int32(prefix + "row_starts", (record.Out + height - 1) / height + 1);
        ushort[] indices = tensors.TakeVector(prefix + "column_indices", ElementType.UInt16).ToUInt16();
        float[] values = tensors.TakeVector(prefix + "values", ElementType.Float32).ToFloat32();
        float[]? bias = tensors.Contains(prefix + "bias") ? tensors.Float32(prefix + "bias", record.Out) : null;
        SparseMatrix weight;
        try
        {
            weight = SparseMatrix.FromParts(format, record.Out, record.In, rowStarts, indices, values);
        }
        catch (ArgumentException e)
        {
            throw tensors.Error($"has an inconsistent sparse weight '{prefix}column_indices'/'{prefix}values'/'{prefix}row_starts': {e.Message}");
        }
        return new SparseLinear(weight, bias);
    }
}
