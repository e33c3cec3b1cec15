using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;

namespace TinyKd.Tests.SparseInt8;

// Every pruned int8 kernel path (forced explicitly through SparseInt8Kernels) against the plain loops of
// SparseInt8Kernels.Reference.cs: the int32 products themselves and the floats after the epilogue, bit for bit, at
// every shape, sparsity and batch of SparseInt8Data, on 1 and 2 threads, and at the saturation worst case.
public class SparseInt8KernelTests
{
    public static TheoryData<KernelPath> Paths() => [.. CpuKernels.Supported];

    [Theory, MemberData(nameof(Paths))]
    public void Products_equal_the_reference_bit_for_bit_on_every_shape_sparsity_and_batch(KernelPath path)
    {
        foreach (var (rows, columns) in SparseInt8Data.Shapes)
            foreach (double sparsity in SparseInt8Data.Sparsities)
                foreach (int batch in SparseInt8Data.Batches)
                {
                    int seed = rows * 31 + columns * 7 + batch + (int)(sparsity * 100), zeroPoint = seed % 256;
                    var w = SparseInt8Matrix.FromDense(SparseInt8Data.Weights((ulong)seed, rows, columns, sparsity), rows, columns);
                    byte[] a = SparseInt8Data.Activations(seed, batch, columns);
                    int[] expected = new int[batch * rows], actual = new int[batch * rows];
                    SparseInt8Reference.Products(w, batch, a, zeroPoint, expected, 0, w.BlockRows);
                    SparseInt8Kernels.Products(path, 1, w, batch, a, zeroPoint, actual);
                    SparseInt8Data.AssertSame(expected, actual, $"{path} W [{rows}, {columns}] at {sparsity:P0}, batch {batch}, zero point {zeroPoint}, seed {seed}");
                }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Outputs_equal_the_reference_bit_for_bit_with_dynamic_and_given_quantization(KernelPath path)
    {
        foreach (var (rows, columns) in SparseInt8Data.Shapes)
            foreach (int batch in SparseInt8Data.Batches)
            {
                bool relu = batch % 2 == 1;
                ulong seed = (ulong)(rows * 31 + columns * 7 + batch);
                var w = SparseInt8Matrix.FromDense(SparseInt8Data.Weights(seed, rows, columns, 0.9), rows, columns);
                float[] x = PathData.Uniform(seed + 1, batch * columns, -1, 3), bias = PathData.Uniform(seed + 2, rows, -1, 1);
                foreach (ActivationQuantization? activation in (ActivationQuantization?[])[null, new ActivationQuantization(0.01f, 37)])
                {
                    float[] expected = new float[batch * rows], actual = new float[batch * rows];
                    SparseInt8Reference.Run(w, batch, x, expected, bias, relu, activation);
                    Array.Fill(actual, float.NaN);
                    SparseInt8Kernels.Run(path, 1, w, batch, x, actual, bias, relu, activation);
                    SparseInt8Data.AssertSameBits(expected, actual, $"{path} W [{rows}, {columns}] batch {batch}, {activation?.ToString() ?? "dynamic"}, seed {seed}");
                }
            }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Results_are_bit_identical_on_one_and_two_threads(KernelPath path)
    {
        foreach (var (rows, columns, sparsity, batch) in (ReadOnlySpan<(int, int, double, int)>)
                 [(1025, 1025, 0, 1), (1025, 1025, 0.5, 7), (1025, 257, 0.5, 33), (100, 1025, 0.9, 256)])
        {
            var w = SparseInt8Matrix.FromDense(SparseInt8Data.Weights(5, rows, columns, sparsity), rows, columns);
            Assert.True((long)w.Blocks * SparseInt8Matrix.BlockHeight * batch >= SparseInt8Kernels.ParallelThreshold, "the case must be large enough to run in parallel");
            float[] x = PathData.Uniform(6, batch * columns, -1, 1), bias = PathData.Uniform(7, rows, -1, 1);
            float[] one = new float[batch * rows], two = new float[batch * rows];
            SparseInt8Kernels.Run(path, 1, w, batch, x, one, bias, relu: true);
            SparseInt8Kernels.Run(path, 2, w, batch, x, two, bias, relu: true);
            SparseInt8Data.AssertSameBits(one, two, $"{path} W [{rows}, {columns}] batch {batch} on 2 threads vs 1");
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Products_are_exact_at_the_saturation_worst_case(KernelPath path)
    {
        // a = 255 and q = ±64 everywhere: every pair vpmaddubsw sums is ±32640, just under the int16 limit, and the
        // int32 total reaches 255·64·1025 = 16 728 000. Widths 1, 17 and 1025 cover whole groups, tails and both.
        foreach (int columns in (int[])[1, 17, 1025])
            foreach (float sign in (float[])[1f, -1f])
                foreach (int batch in (int[])[1, 33])
                {
                    const int rows = 17;
                    var w = SparseInt8Matrix.FromDense(Enumerable.Repeat(sign, rows * columns).ToArray(), rows, columns);
                    Assert.Equal(sign > 0 ? SparseInt8Matrix.MaxMagnitude : -SparseInt8Matrix.MaxMagnitude, w[rows - 1, columns - 1]);
                    byte[] a = Enumerable.Repeat((byte)255, batch * columns).ToArray();
                    int[] c = new int[batch * rows];
                    SparseInt8Kernels.Products(path, 1, w, batch, a, 0, c);
                    Assert.All(c, v => Assert.Equal((int)sign * 255 * SparseInt8Matrix.MaxMagnitude * columns, v));
                }
    }

    [Theory, MemberData(nameof(Paths))]
    public void No_input_features_leave_the_bias_and_no_outputs_leave_y_empty(KernelPath path)
    {
        foreach (int batch in SparseInt8Data.Batches)
        {
            var empty = SparseInt8Matrix.FromDense([], 3, 0);
            float[] y = new float[batch * 3];
            SparseInt8Kernels.Run(path, 2, empty, batch, [], y, [1f, -2f, 3f], relu: true);
            for (int b = 0; b < batch; b++) Assert.Equal([1f, 0f, 3f], y.AsSpan(b * 3, 3).ToArray());
            SparseInt8Kernels.Run(path, 2, SparseInt8Matrix.FromDense([], 0, 5), batch, new float[batch * 5], []);
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_shapes()
    {
        var w = SparseInt8Matrix.FromDense(new float[6], 2, 3);
        Check.Throws<ArgumentException>(() => SparseInt8Kernels.Run(KernelPath.Scalar, 1, w, 2, new float[5], new float[4]), "x has 5", "[2, 3]");
        Check.Throws<ArgumentException>(() => SparseInt8Kernels.Run(KernelPath.Scalar, 1, w, 2, new float[6], new float[3]), "y has 3", "[2, 2]");
        Check.Throws<ArgumentException>(() => SparseInt8Kernels.Run(KernelPath.Scalar, 1, w, 2, new float[6], new float[4], new float[3]), "bias has 3", "2 rows");
        Check.Throws<ArgumentException>(() => SparseInt8Kernels.Run(KernelPath.Scalar, 1, w, 2, [0, 1, float.NaN, 0, 0, 0], new float[4]), "NaN or an infinity");
    }
}
