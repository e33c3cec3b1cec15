using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Tensors;

// The CPU backend with its kernel path forced (TINYKD_KERNELS, here CpuKernels.Path) against the plain loops of
// Elementwise.Reference.cs, Reductions.Reference.cs and EmbeddingKernels.Reference.cs, at every length 0 … 3×16 + 1:
// ReLU, sigmoid, y += x, αx + βy, the reductions and their broadcast, ArgMax and the embedding rows. Only sums may
// round differently on the vector paths (they add in lanes); the scalar path adds in order, like the reference, and
// equals it bit for bit, which a vectorised sum would not.
[Collection(CpuKernelSettingsCollection.Name)]
public class ScalarPathTests(ITestOutputHelper output)
{
    private static readonly CpuCompute Cpu = CpuCompute.Default;

    private void OnPath(KernelPath path, Action body) => ForcedKernelPath.Run(path, output, body);

    // Seeded values with the awkward ones mixed in: zeros of both signs, infinities, and tiny values.
    private static float[] Inputs(int n, ulong seed)
    {
        float[] x = PathData.Uniform(seed, n, -8, 8);
        float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f, 40f, -100f];
        for (int i = 0; i < n; i += 3) x[i] = specials[i / 3 % specials.Length];
        return x;
    }

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Relu_and_sigmoid_equal_the_reference_at_every_length(KernelPath path) => OnPath(path, () =>
    {
        foreach (int n in PathData.Lengths)
        {
            float[] x = Inputs(n, (ulong)n), withNan = x.ToArray();
            if (n > 5) withNan[5] = float.NaN;
            float[] expected = new float[n], actual = new float[n];
            ElementwiseReference.Relu(withNan, expected);
            Cpu.Unary(UnaryOp.Relu, Tensor.FromArray(actual, n), Tensor.FromArray(withNan, n));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"ReLU n={n} on {path}");

            ElementwiseReference.Sigmoid(x, expected);
            var y = Tensor.Zeros(n);
            Cpu.Unary(UnaryOp.Sigmoid, y, Tensor.FromArray(x, n));
            Check.Close(expected, y.ToArray(), 1e-30, 3e-7, $"sigmoid n={n} on {path}");
        }
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Sigmoid_gives_the_same_bits_on_every_path(KernelPath path) => OnPath(path, () =>
    {
        float[] x = Inputs(1000, 7);
        float[] scalar = new float[x.Length], actual = new float[x.Length];
        Elementwise.Unary(KernelPath.Scalar, UnaryOp.Sigmoid, x, scalar, 0f);
        Cpu.Unary(UnaryOp.Sigmoid, Tensor.FromArray(actual, x.Length), Tensor.FromArray(x, x.Length));
        Assert.Equal(scalar, actual);
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Accumulating_copy_and_axpby_equal_the_reference_at_every_length(KernelPath path) => OnPath(path, () =>
    {
        foreach (int n in PathData.Lengths)
        {
            float[] x = PathData.Uniform((ulong)n, n, -2, 2), start = PathData.Uniform((ulong)n + 1, n, -2, 2);
            float[] expected = start.ToArray();
            ElementwiseReference.AddTo(x, expected);
            var y = Tensor.FromArray(start.ToArray(), n);
            Cpu.Copy(y, Tensor.FromArray(x, n), accumulate: true);
            Assert.True(expected.AsSpan().SequenceEqual(y.ToArray()), $"y += x n={n} on {path}");

            foreach (float beta in new[] { 0f, 1f, -0.3f })
            {
                expected = start.ToArray();
                ElementwiseReference.Axpby(x, expected, 1.7f, beta);
                y = Tensor.FromArray(start.ToArray(), n);
                Cpu.Axpby(y, Tensor.FromArray(x, n), 1.7f, beta);
                Assert.True(expected.AsSpan().SequenceEqual(y.ToArray()), $"axpby β={beta} n={n} on {path}");
            }
        }
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Reductions_along_every_axis_equal_the_reference(KernelPath path) => OnPath(path, () =>
    {
        foreach (int n in PathData.Lengths.Where(n => n > 0))
            foreach (int[] dims in new[] { new[] { n }, new[] { 3, n }, new[] { n, 5 }, new[] { 2, n, 3 } })
                for (int axis = 0; axis < dims.Length; axis++)
                {
                    int outer = dims.Take(axis).Aggregate(1, (p, d) => p * d), inner = dims.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
                    var x = Tensor.FromArray(PathData.Uniform((ulong)n, dims.Aggregate(1, (p, d) => p * d), -1, 1), dims);
                    foreach (ReduceOp op in Enum.GetValues<ReduceOp>())
                    {
                        bool accumulate = op != ReduceOp.Max || inner == 1;
                        float[] start = PathData.Uniform((ulong)n + 2, outer * inner, -1, 1), expected = start.ToArray();
                        ReductionReference.Reduce(op, x.ToArray(), expected, outer, dims[axis], inner, 0.5f, accumulate);
                        var y = Tensor.FromArray(start.ToArray(), outer * inner);
                        Cpu.Reduce(op, y, x, axis, 0.5f, accumulate);
                        string what = $"{op} of [{string.Join(", ", dims)}] along {axis} on {path}";
                        if (op == ReduceOp.Max || (path == KernelPath.Scalar && op == ReduceOp.Sum && inner == 1))
                            Assert.True(expected.AsSpan().SequenceEqual(y.ToArray()), what);
                        else Check.Close(expected, y.ToArray(), 1e-6, 1e-5, what);
                    }
                }
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Max_reductions_propagate_nan_on_every_path(KernelPath path) => OnPath(path, () =>
    {
        float[] data = PathData.Uniform(3, 3 * 40, -1, 1);
        data[45] = float.NaN;
        var x = Tensor.FromArray(data, 3, 40);
        var rows = Tensor.Zeros(3);
        Cpu.Reduce(ReduceOp.Max, rows, x, 1);
        Assert.True(!float.IsNaN(rows.ToArray()[0]) && float.IsNaN(rows.ToArray()[1]) && !float.IsNaN(rows.ToArray()[2]), $"row max on {path}");
        var columns = Tensor.Zeros(40);
        Cpu.Reduce(ReduceOp.Max, columns, x, 0);
        Assert.Equal([5], columns.ToArray().Select((v, i) => (v, i)).Where(p => float.IsNaN(p.v)).Select(p => p.i));
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Broadcast_along_an_axis_and_argmax_equal_the_reference(KernelPath path) => OnPath(path, () =>
    {
        foreach (int n in PathData.Lengths.Where(n => n > 0))
        {
            float[] x = PathData.Uniform((ulong)n, 2 * n, -1, 1), start = PathData.Uniform((ulong)n + 1, 2 * 3 * n, -1, 1);
            foreach (bool accumulate in new[] { false, true })
            {
                float[] expected = start.ToArray();
                ReductionReference.Broadcast(x, expected, 2, 3, n, -1.5f, accumulate);
                var y = Tensor.FromArray(start.ToArray(), 2, 3, n);
                Cpu.BroadcastAxis(y, Tensor.FromArray(x, 2, n), 1, -1.5f, accumulate);
                Assert.True(expected.AsSpan().SequenceEqual(y.ToArray()), $"broadcast n={n} on {path}");
            }

            float[] scores = x.Select(v => MathF.Round(v * 4)).ToArray(); // ties
            if (n > 2) scores[n + 2] = float.NaN;
            int[] expectedIndices = new int[2], actualIndices = new int[2];
            ReductionReference.ArgMax(scores, n, expectedIndices);
            Cpu.ArgMax(Tensor.FromArray(scores, 2, n), Check.Ints(actualIndices));
            Assert.Equal(expectedIndices, actualIndices);
        }
    });

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Embedding_rows_equal_the_reference_at_every_width(KernelPath path) => OnPath(path, () =>
    {
        int[] indices = [2, 0, 2, 5, 1], offsets = [0, 3, 3, 5];
        foreach (int width in PathData.Lengths.Where(n => n > 0))
        {
            var table = Tensor.FromArray(PathData.Uniform((ulong)width, 6 * width, -1, 1), 6, width);
            float[] expected = new float[3 * width];
            EmbeddingReference.Forward(expected, table.ToArray(), width, indices, offsets, mean: true);
            var y = Tensor.Zeros(3, width);
            Cpu.EmbeddingForward(y, table, Check.Ints(indices), Check.Ints(offsets), mean: true);
            Assert.True(expected.AsSpan().SequenceEqual(y.ToArray()), $"embedding bag width={width} on {path}");

            float[] dy = PathData.Uniform((ulong)width + 1, 3 * width, -1, 1), rows = new float[6 * width];
            EmbeddingReference.Backward(rows, dy, width, indices, offsets, mean: true);
            var actualRows = Tensor.Zeros(6, width);
            Cpu.EmbeddingBackward(actualRows, Check.Ints(indices), Tensor.FromArray(dy, 3, width), Check.Ints(offsets), mean: true);
            Assert.True(rows.AsSpan().SequenceEqual(actualRows.ToArray()), $"embedding backward width={width} on {path}");
        }
    });
}
