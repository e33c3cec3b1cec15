using TinyKd.Tensors;
using TinyKd.Tests.Tensors;

namespace TinyKd.Tests.SparseInt8;

/// <summary>Seeded pruned weights and activations for the sparse int8 tests.</summary>
public static class SparseInt8Data
{
    /// <summary>(Out, In): widths 1, 17 (a 16-lane vector + 1) and 1025 each way, and a teacher-like middle size.</summary>
    public static readonly (int Out, int In)[] Shapes =
        [(1, 1), (17, 1), (1, 17), (17, 17), (1, 1025), (1025, 1), (17, 1025), (1025, 17), (100, 257)];

    /// <summary>Fractions of pruned 8×1 blocks.</summary>
    public static readonly double[] Sparsities = [0, 0.5, 0.9, 0.99];

    /// <summary>Batches: 1 and 7 take the batch-1 kernels, 8, 33 and 256 the batch-in-lanes ones (256 = 16 whole chunks).</summary>
    public static readonly int[] Batches = [1, 7, 8, 33, 256];

    /// <summary>W [rows, columns] pruned in 8×1 blocks (<see cref="SparseData.Weights"/>), with an all-zero block row (rows 8 … 15) when there are at least 16 rows.</summary>
    public static float[] Weights(ulong seed, int rows, int columns, double sparsity)
    {
        float[] w = SparseData.Weights(seed, rows, columns, sparsity, blocks: true);
        if (rows >= 16) Array.Clear(w, 8 * columns, 8 * columns);
        return w;
    }

    /// <summary>B × In u8 activations, uniform over 0 … 255.</summary>
    public static byte[] Activations(int seed, int batch, int columns)
    {
        var a = new byte[batch * columns];
        new Random(seed).NextBytes(a);
        return a;
    }

    /// <summary>Whether two float arrays hold the same bits; the first difference named in the failure.</summary>
    public static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: y[{i}] is {actual[i]:G9}, expected {expected[i]:G9}");
    }

    /// <summary>Whether two int arrays are equal; the first difference named in the failure.</summary>
    public static void AssertSame(int[] expected, int[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i]) Assert.Fail($"{what}: C[{i}] is {actual[i]}, expected {expected[i]}");
    }
}
