using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// The sparse weight format: dense → sparse → dense is exact in both layouts on every test shape and sparsity, the
// stored arrays have the documented sizes and rebuild the same matrix, and malformed input is rejected by name.
public class SparseMatrixTests
{
    public static TheoryData<SparseFormat> Formats() => [SparseFormat.Csr, SparseFormat.Blocked];

    [Theory, MemberData(nameof(Formats))]
    public void Dense_to_sparse_to_dense_is_exact_on_every_shape_and_sparsity(SparseFormat format)
    {
        foreach (var (rows, columns) in SparseData.Shapes)
            foreach (double sparsity in SparseData.Sparsities)
            {
                float[] dense = SparseData.Weights(7, rows, columns, sparsity, blocks: format == SparseFormat.Blocked);
                var w = SparseMatrix.FromDense(dense, rows, columns, format);
                Assert.True(dense.AsSpan().SequenceEqual(w.ToDense()), $"{format} [{rows}, {columns}] at {sparsity:P0}");
                Assert.Equal(dense.Count(v => v != 0f), w.NonZeros);
            }
    }

    [Fact]
    public void Csr_stores_only_the_non_zeros_with_16_bit_indices()
    {
        float[] dense = [0, 2, 0, 3, 0, 0, 0, 0, 4, 0, 0, 5];
        var w = SparseMatrix.FromDense(dense, 3, 4, SparseFormat.Csr);
        Assert.Equal([0, 2, 2, 4], w.RowStarts.ToArray());
        Assert.Equal([(ushort)1, 3, 0, 3], w.ColumnIndices.ToArray());
        Assert.Equal([2f, 3, 4, 5], w.Values.ToArray());
        Assert.Equal(4 * 4 + 2 * 4 + 4 * 4, w.ByteSize);
        Assert.Equal(1 - 4.0 / 12, w.Sparsity, 12);
    }

    [Fact]
    public void Blocked_keeps_a_block_when_any_of_its_rows_is_non_zero_and_pads_the_last_block_row()
    {
        // 9 rows: block row 0 holds rows 0–7, block row 1 holds row 8 and 7 padding rows.
        var dense = new float[9 * 3];
        dense[3 * 3 + 1] = 1f;  // row 3, column 1: keeps block (0, 1) with 7 explicit zeros
        dense[8 * 3 + 2] = 2f;  // row 8, column 2: keeps block (1, 2)
        var w = SparseMatrix.FromDense(dense, 9, 3, SparseFormat.Blocked);
        Assert.Equal(2, w.UnitRows);
        Assert.Equal([0, 1, 2], w.RowStarts.ToArray());
        Assert.Equal([(ushort)1, 2], w.ColumnIndices.ToArray());
        Assert.Equal(16, w.Values.Length);
        Assert.Equal(1f, w.Values[3]);
        Assert.Equal(2f, w.Values[8]);
        Assert.Equal(2, w.NonZeros);
    }

    [Theory, MemberData(nameof(Formats))]
    public void From_parts_rebuilds_the_same_matrix(SparseFormat format)
    {
        float[] dense = SparseData.Weights(3, 100, 257, 0.9, blocks: format == SparseFormat.Blocked);
        var w = SparseMatrix.FromDense(dense, 100, 257, format);
        var copy = SparseMatrix.FromParts(format, 100, 257, w.RowStarts, w.ColumnIndices, w.Values);
        Assert.True(dense.AsSpan().SequenceEqual(copy.ToDense()));
        Assert.Equal(w.ByteSize, copy.ByteSize);
    }

    [Fact]
    public void Bad_dense_input_is_rejected_naming_the_shape()
    {
        Check.Throws<ArgumentException>(() => SparseMatrix.FromDense(new float[11], 3, 4, SparseFormat.Csr), "11 floats", "[3, 4]");
        Check.Throws<ArgumentException>(() => SparseMatrix.FromDense(new float[2 * 65537], 2, 65537, SparseFormat.Csr), "[2, 65537]", "65536");
        Check.Throws<ArgumentException>(() => SparseMatrix.FromDense([], -1, 0, SparseFormat.Csr), "[-1, 0]");
    }

    [Fact]
    public void Bad_parts_are_rejected_naming_what_is_wrong()
    {
        Check.Throws<ArgumentException>(() => SparseMatrix.FromParts(SparseFormat.Csr, 2, 4, [0, 1], [1], [1f]), "2 row starts", "[2, 4]");
        Check.Throws<ArgumentException>(() => SparseMatrix.FromParts(SparseFormat.Csr, 1, 4, [0, 1], [4], [1f]), "Column index 4", "[0, 4)");
        Check.Throws<ArgumentException>(() => SparseMatrix.FromParts(SparseFormat.Csr, 1, 4, [0, 2], [2, 1], [1f, 1f]), "not ascending");
        Check.Throws<ArgumentException>(() => SparseMatrix.FromParts(SparseFormat.Csr, 1, 4, [0, 1], [1], [1f, 2f]), "2 values");
        Check.Throws<ArgumentException>(() => SparseMatrix.FromParts(SparseFormat.Blocked, 8, 4, [0, 1], [1], [1f]), "1 values", "8");
        float[] padded = new float[8];
        padded[7] = 1f;
        Check.Throws<ArgumentException>(() => SparseMatrix.FromParts(SparseFormat.Blocked, 3, 4, [0, 1], [1], padded), "padding row 7");
    }
}
