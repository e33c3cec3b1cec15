using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

// Every sparse kernel path (forced explicitly through SparseKernels.Run) against the plain loops of
// SparseKernels.Reference.cs and against the dense GEMM reference on the same weights: both layouts, the shapes,
// sparsities and batches of SparseData, bias and ReLU. The scalar path and the batch-in-lanes kernels (batch ≥
// LaneBatchMin) add in the reference's order and must equal it bit for bit; the batch-1 kernels split each sum
// (lanes or 4 chains) and must be within 1e-5·√In + 1e-5·|y| of it. The dense comparison allows the same.
public class SparseKernelTests
{
    public static TheoryData<KernelPath, SparseFormat> PathsAndFormats()
    {
        var data = new TheoryData<KernelPath, SparseFormat>();
        foreach (KernelPath path in CpuKernels.Supported)
        {
            data.Add(path, SparseFormat.Csr);
            data.Add(path, SparseFormat.Blocked);
        }
        return data;
    }

    [Theory, MemberData(nameof(PathsAndFormats))]
    public void Every_path_matches_the_reference_and_the_dense_product_on_every_shape_sparsity_and_batch(KernelPath path, SparseFormat format)
    {
        foreach (var (rows, columns) in SparseData.Shapes)
            foreach (double sparsity in SparseData.Sparsities)
                foreach (int batch in SparseData.Batches)
                {
                    bool relu = batch % 2 == 1;
                    ulong seed = (ulong)(rows * 31 + columns * 7 + batch) + (ulong)(sparsity * 100);
                    float[] dense = SparseData.Weights(seed, rows, columns, sparsity, blocks: format == SparseFormat.Blocked);
                    var w = SparseMatrix.FromDense(dense, rows, columns, format);
                    float[] x = PathData.Uniform(seed + 1, batch * columns, -1, 1), bias = PathData.Uniform(seed + 2, rows, -1, 1);
                    float[] expected = new float[batch * rows], actual = new float[batch * rows], viaDense = new float[batch * rows];
                    SparseReference.Run(w, batch, x, expected, bias, relu);
                    Array.Fill(actual, float.NaN);
                    SparseKernels.Run(path, 1, w, batch, x, actual, bias, relu);
                    string what = $"{path} {format} W [{rows}, {columns}] at {sparsity:P0}, batch {batch}, seed {seed}";
                    if (path == KernelPath.Scalar || batch >= SparseKernels.LaneBatchMin) AssertSameBits(expected, actual, what);
                    else Check.Close(expected, actual, atol: 1e-5 * Math.Sqrt(columns), rtol: 1e-5, what: what);
                    GemmReference.Run(batch, rows, columns, x, false, dense, true, viaDense, 1f, 0f, bias, relu);
                    Check.Close(viaDense, actual, atol: 1e-5 * Math.Sqrt(columns), rtol: 1e-5, what: what + " vs dense");
                }
    }

    [Theory, MemberData(nameof(PathsAndFormats))]
    public void Results_are_bit_identical_on_one_two_and_three_threads(KernelPath path, SparseFormat format)
    {
        foreach (var (rows, columns, sparsity, batch) in (ReadOnlySpan<(int, int, double, int)>)
                 [(1025, 1025, 0, 1), (1025, 1025, 0.5, 3), (1025, 257, 0.5, 17), (100, 257, 0.9, 256)])
        {
            var w = SparseMatrix.FromDense(SparseData.Weights(5, rows, columns, sparsity), rows, columns, format);
            Assert.True((long)w.Units * w.UnitHeight * batch >= SparseKernels.ParallelThreshold, "the case must be large enough to run in parallel");
            float[] x = PathData.Uniform(6, batch * columns, -1, 1), bias = PathData.Uniform(7, rows, -1, 1);
            float[] one = new float[batch * rows];
            SparseKernels.Run(path, 1, w, batch, x, one, bias, relu: true);
            foreach (int threads in (int[])[2, 3])
            {
                float[] many = new float[batch * rows];
                SparseKernels.Run(path, threads, w, batch, x, many, bias, relu: true);
                AssertSameBits(one, many, $"{path} {format} W [{rows}, {columns}] batch {batch} on {threads} threads vs 1");
            }
        }
    }

    [EveryKernelPathFact]
    public void Avx2_and_avx512_batch_1_kernels_add_in_the_same_order()
    {
        foreach (var (rows, columns) in SparseData.Shapes)
        {
            var w = SparseMatrix.FromDense(SparseData.Weights(11, rows, columns, 0.5, blocks: true), rows, columns, SparseFormat.Blocked);
            float[] x = PathData.Uniform(12, columns, -1, 1), avx2 = new float[rows], avx512 = new float[rows];
            SparseKernels.Run(KernelPath.Avx2, 1, w, 1, x, avx2);
            SparseKernels.Run(KernelPath.Avx512, 1, w, 1, x, avx512);
            AssertSameBits(avx2, avx512, $"blocked W [{rows}, {columns}] batch 1, AVX-512 vs AVX2");
        }
    }

    [Fact]
    public void Csr_and_blocked_give_the_same_bits_with_batch_rows_in_the_lanes()
    {
        float[] dense = SparseData.Weights(13, 100, 257, 0.9);
        float[] x = PathData.Uniform(14, 17 * 257, -1, 1), csr = new float[17 * 100], blocked = new float[17 * 100];
        SparseKernels.Run(CpuKernels.Best, 1, SparseMatrix.FromDense(dense, 100, 257, SparseFormat.Csr), 17, x, csr);
        SparseKernels.Run(CpuKernels.Best, 1, SparseMatrix.FromDense(dense, 100, 257, SparseFormat.Blocked), 17, x, blocked);
        AssertSameBits(csr, blocked, "CSR vs blocked at batch 17");
    }

    [Theory, MemberData(nameof(PathsAndFormats))]
    public void No_input_features_leave_the_bias_and_no_outputs_leave_y_empty(KernelPath path, SparseFormat format)
    {
        foreach (int batch in SparseData.Batches)
        {
            var empty = SparseMatrix.FromDense([], 3, 0, format);
            float[] y = new float[batch * 3];
            SparseKernels.Run(path, 2, empty, batch, [], y, [1f, -2f, 3f], relu: true);
            for (int b = 0; b < batch; b++) Assert.Equal([1f, 0f, 3f], y.AsSpan(b * 3, 3).ToArray());
            SparseKernels.Run(path, 2, SparseMatrix.FromDense([], 0, 5, format), batch, new float[batch * 5], []);
        }
    }

    [Fact]
    public void Spans_of_the_wrong_length_are_rejected_naming_the_shapes()
    {
        var w = SparseMatrix.FromDense(new float[6], 2, 3, SparseFormat.Csr);
        Check.Throws<ArgumentException>(() => SparseKernels.Run(KernelPath.Scalar, 1, w, 2, new float[5], new float[4]), "x has 5", "[2, 3]");
        Check.Throws<ArgumentException>(() => SparseKernels.Run(KernelPath.Scalar, 1, w, 2, new float[6], new float[3]), "y has 3", "[2, 2]");
        Check.Throws<ArgumentException>(() => SparseKernels.Run(KernelPath.Scalar, 1, w, 2, new float[6], new float[4], new float[3]), "bias has 3", "2 rows");
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: y[{i}] is {actual[i]:G9}, expected {expected[i]:G9}");
    }
}
