using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

/// <summary>Shapes written as in the tests' data: "2,3" is [2, 3], "" is a scalar.</summary>
public static class BroadcastCases
{
    /// <summary>Parses "2,1,3" into [2, 1, 3] and "" into the scalar shape [].</summary>
    public static Shape Parse(string dims) =>
        dims.Length == 0 ? new Shape() : new Shape(dims.Split(',').Select(int.Parse).ToArray());

    /// <summary>
    /// Operand shape pairs covering every layout the broadcast kernel reduces to, for a row length n: equal shapes,
    /// a scalar on either side, a bias row, a column, an outer product, [B, 1, n] against [1, A, 1], rank mismatches up
    /// to rank 4, and empty dimensions.
    /// </summary>
    public static IEnumerable<(Shape A, Shape B)> Pairs(int n)
    {
        string[][] pairs =
        [
            ["{n}", "{n}"], ["3,{n}", "3,{n}"], ["", "{n}"], ["3,{n}", ""], ["3,{n}", "1"], ["1,1", "3,{n}"],
            ["3,{n}", "{n}"], ["{n}", "3,{n}"], ["3,{n}", "1,{n}"], ["3,{n}", "3,1"], ["3,1", "3,{n}"], ["3,1", "1,{n}"],
            ["1,{n}", "3,1"], ["2,1,{n}", "1,3,1"], ["1,3,1", "2,1,{n}"], ["2,3,{n}", "3,1"], ["2,3,{n}", "2,1,{n}"],
            ["2,1,3,{n}", "3,1"], ["1,{n}", "2,1,3,1"], ["0,{n}", "{n}"], ["3,0", "3,1"],
        ];
        foreach (string[] p in pairs) yield return (Parse(p[0].Replace("{n}", $"{n}")), Parse(p[1].Replace("{n}", $"{n}")));
    }

    /// <summary>Row lengths around the vector widths: 0, 1, 3, 7, 8, 15, 16, 17, 33 and 3×16 + 1.</summary>
    public static readonly int[] RowLengths = [0, 1, 3, 7, 8, 15, 16, 17, 33, 49];

    /// <summary>Seeded uniform values of the given shape, on the host.</summary>
    public static float[] Values(ulong seed, Shape shape, float lo, float hi) => PathData.Uniform(seed, shape.Length, lo, hi);
}

// PyTorch's broadcasting rule on shapes, and the binary ops and their backward (SumTo) on the CPU backend.
public class BroadcastTests
{
    private static readonly CpuCompute Cpu = CpuCompute.Default;

    [Theory]
    [InlineData("2,2", "2,1", "2,2")]
    [InlineData("2,3", "3", "2,3")]
    [InlineData("4,1,3", "5,1", "4,5,3")]
    [InlineData("2,1,1,4", "3,1", "2,1,3,4")]
    [InlineData("", "2,3", "2,3")]
    [InlineData("1", "", "1")]
    [InlineData("3", "3,1", "3,3")]
    [InlineData("0,3", "1,3", "0,3")]
    [InlineData("1,0", "3,1", "3,0")]
    public void Shapes_broadcast_to_the_shape_pytorch_gives_in_either_order(string a, string b, string expected)
    {
        Assert.True(Shape.TryBroadcast(BroadcastCases.Parse(a), BroadcastCases.Parse(b), out Shape ab, out _));
        Assert.True(Shape.TryBroadcast(BroadcastCases.Parse(b), BroadcastCases.Parse(a), out Shape ba, out _));
        Assert.Equal(BroadcastCases.Parse(expected), ab);
        Assert.Equal(BroadcastCases.Parse(expected), ba);
    }

    [Theory]
    [InlineData("2,3", "3,2", -1)]
    [InlineData("2", "3", -1)]
    [InlineData("2,4,3", "3,3", -2)]
    [InlineData("5,2,1,1", "4,1,1,1", -4)]
    public void Shapes_that_pytorch_rejects_do_not_broadcast_and_name_the_conflicting_dimension(string a, string b, int axis)
    {
        Assert.False(Shape.TryBroadcast(BroadcastCases.Parse(a), BroadcastCases.Parse(b), out _, out int conflict));
        Assert.Equal(axis, conflict);
    }

    [Fact]
    public void A_column_is_repeated_along_each_row_as_in_pytorch()
    {
        // torch.tensor([[1., 2.], [3., 4.]]) + torch.tensor([[10.], [20.]]) == [[11, 12], [23, 24]]
        var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([10, 20], 2, 1);
        var y = Tensor.Zeros(2, 2);
        Cpu.Binary(BinaryOp.Add, y, a, b);
        Assert.Equal([11f, 12, 23, 24], y.ToArray());
        Cpu.Binary(BinaryOp.Subtract, y, b, a);
        Assert.Equal([9f, 8, 17, 16], y.ToArray());
    }

    [Fact]
    public void A_vector_and_a_column_of_the_same_length_broadcast_to_a_square_instead_of_adding_elementwise()
    {
        var a = Tensor.FromArray([1, 2, 3], 3);
        var b = Tensor.FromArray([10, 20, 30], 3, 1);
        var y = Tensor.Zeros(3, 3);
        Cpu.Binary(BinaryOp.Add, y, a, b);
        Assert.Equal([11f, 12, 13, 21, 22, 23, 31, 32, 33], y.ToArray());
        Check.Throws<ArgumentException>(() => Cpu.Binary(BinaryOp.Add, Tensor.Zeros(3), a, b), "'y' [3]", "[3, 3]");
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_rejected_naming_both()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(3, 2);
        Check.Throws<ArgumentException>(() => Cpu.Binary(BinaryOp.Add, Tensor.Zeros(2, 3), a, b), "[2, 3]", "[3, 2]");
        var g = new Graph();
        Check.Throws<ArgumentException>(() => Ops.Multiply(g.Input(a), g.Input(b)), "[2, 3]", "[3, 2]");
        Check.Throws<ArgumentException>(() => Ops.Add(g.Input(Tensor.Zeros(2, 4, 3)), g.Input(Tensor.Zeros(3, 3))), "[2, 4, 3]", "[3, 3]");
    }

    [Fact]
    public void SumTo_adds_x_over_the_dimensions_y_is_broadcast_along()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var column = Tensor.FromArray([100, 200], 2, 1);
        Cpu.SumTo(column, x, 2f, accumulate: true);
        Assert.Equal([112f, 230], column.ToArray());
        var row = Tensor.Zeros(3);
        Cpu.SumTo(row, x);
        Assert.Equal([5f, 7, 9], row.ToArray());
        var scalar = Tensor.Zeros();
        Cpu.SumTo(scalar, x, -1f);
        Assert.Equal([-21f], scalar.ToArray());
    }

    [Fact]
    public void SumTo_rejects_a_shape_that_does_not_broadcast_to_x()
    {
        var x = Tensor.Zeros(2, 3);
        Check.Throws<ArgumentException>(() => Cpu.SumTo(Tensor.Zeros(2), x), "'y' [2]", "[2, 3]");
        Check.Throws<ArgumentException>(() => Cpu.SumTo(Tensor.Zeros(1, 2, 3), x), "[1, 2, 3]", "[2, 3]");
    }
}

// The broadcast kernel and SumTo on every kernel path against the index-by-index references, on every layout.
public class BroadcastPathTests
{
    public static TheoryData<KernelPath, BinaryOp> PathsAndOps()
    {
        var data = new TheoryData<KernelPath, BinaryOp>();
        foreach (KernelPath path in CpuKernels.Supported)
            foreach (BinaryOp op in Enum.GetValues<BinaryOp>()) data.Add(path, op);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndOps))]
    public void Broadcast_binary_ops_equal_the_reference_bit_for_bit_on_every_layout(KernelPath path, BinaryOp op)
    {
        foreach (int n in BroadcastCases.RowLengths)
            foreach (var (aShape, bShape) in BroadcastCases.Pairs(n))
            {
                Assert.True(Shape.TryBroadcast(aShape, bShape, out Shape yShape, out _));
                float[] a = BroadcastCases.Values((ulong)(n + 1), aShape, -2, 2), b = BroadcastCases.Values((ulong)(n + 2), bShape, 0.5f, 2f);
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] start = BroadcastCases.Values((ulong)(n + 3), yShape, -1, 1);
                    float[] expected = start.ToArray(), actual = start.ToArray();
                    ElementwiseReference.Binary(op, a, aShape, b, bShape, expected, yShape, accumulate);
                    Elementwise.Binary(path, op, a, aShape, b, bShape, actual, yShape, accumulate);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{aShape} {op} {bShape} (accumulate: {accumulate}) on {path}");
                }
            }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void SumTo_equals_the_reference_on_every_layout(KernelPath path)
    {
        foreach (int n in BroadcastCases.RowLengths)
            foreach (var (aShape, bShape) in BroadcastCases.Pairs(n))
            {
                Assert.True(Shape.TryBroadcast(aShape, bShape, out Shape xShape, out _));
                float[] x = BroadcastCases.Values((ulong)n, xShape, -1, 1);
                foreach (Shape yShape in new[] { aShape, bShape })
                    foreach (bool accumulate in new[] { false, true })
                    {
                        float[] start = BroadcastCases.Values((ulong)n + 1, yShape, -1, 1);
                        float[] expected = start.ToArray(), actual = start.ToArray();
                        ReductionReference.SumTo(x, xShape, expected, yShape, -0.75f, accumulate);
                        Reductions.SumTo(path, x, xShape, actual, yShape, -0.75f, accumulate);
                        Check.Close(expected, actual, 1e-6, 1e-5, $"SumTo {xShape} -> {yShape} (accumulate: {accumulate}) on {path}");
                    }
            }
    }
}
