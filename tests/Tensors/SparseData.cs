using TinyKd.Tensors;

namespace TinyKd.Tests.Tensors;

/// <summary>
/// Seeded sparse weights for the sparse tests: the listed shapes (widths 1, 17, 1025 each way), sparsities (0, 50, 90,
/// 99 %), an all-zero row and an all-zero column, pruned element by element or as 8×1 blocks.
/// </summary>
public static class SparseData
{
    /// <summary>(Out, In) pairs: ones, 17 (a 16-lane vector + 1), 1025 (64 vectors + 1) and a mid size.</summary>
    public static readonly (int Out, int In)[] Shapes =
        [(1, 1), (17, 1), (1, 17), (17, 17), (1, 1025), (1025, 1), (17, 1025), (1025, 17), (100, 257)];

    /// <summary>The fractions of zero weights tested.</summary>
    public static readonly double[] Sparsities = [0, 0.5, 0.9, 0.99];

    /// <summary>Batch sizes: 1 and 3 take the batch-1 kernels, 17 and 256 the batch-in-lanes ones.</summary>
    public static readonly int[] Batches = [1, 3, 17, 256];

    /// <summary>
    /// W [rows, columns] uniform in [−1, 1) with each element (or each 8×1 block when <paramref name="blocks"/>) zeroed
    /// with probability <paramref name="sparsity"/>, then row rows/2 and column columns/3 zeroed whole when there are
    /// at least 3 of each (so an all-zero row and column are always present in the larger shapes).
    /// </summary>
    public static float[] Weights(ulong seed, int rows, int columns, double sparsity, bool blocks = false)
    {
        float[] w = PathData.Uniform(seed, rows * columns, -1, 1);
        float[] draw = PathData.Uniform(seed + 1000, rows * columns, 0, 1);
        for (int o = 0; o < rows; o++)
            for (int k = 0; k < columns; k++)
            {
                int pick = blocks ? o / SparseMatrix.BlockHeight * SparseMatrix.BlockHeight * columns + k : o * columns + k;
                if (draw[pick] < sparsity) w[o * columns + k] = 0f;
            }
        if (rows >= 3 && columns >= 3)
        {
            Array.Clear(w, rows / 2 * columns, columns);
            for (int o = 0; o < rows; o++) w[o * columns + columns / 3] = 0f;
        }
        return w;
    }
}
