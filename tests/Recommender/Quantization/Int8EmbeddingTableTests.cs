using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;
using Xunit.Abstractions;

namespace TinyKd.Tests.Recommender.Quantization;

// Int8EmbeddingTable: the per-row quantization error bound, the lookup kernel on every path against its plain
// reference (bit for bit: one exact conversion and one multiply), and the errors at the boundary.
[Collection(CpuKernelSettingsCollection.Name)]
public class Int8EmbeddingTableTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(127)]
    [InlineData(64)]
    public void Every_element_dequantizes_within_half_its_row_step(int magnitude)
    {
        foreach ((int rows, int width) in ((int, int)[])[(1, 1), (7, 3), (33, 17), (100, 64)])
        {
            float[] table = PathData.Uniform((ulong)(rows * width), rows * width, -2f, 2f);
            for (int d = 0; d < width; d++) table[d] *= 1e-3f;        // a row on a far smaller scale keeps its own step
            var q = Int8EmbeddingTable.Quantize(table, rows, width, magnitude);
            var back = new float[rows * width];
            q.Dequantize(back);
            for (int r = 0; r < rows; r++)
            {
                float max = table.AsSpan(r * width, width).ToArray().Max(MathF.Abs);
                Assert.Equal(max / magnitude, q.Scale(r));
                for (int d = 0; d < width; d++)
                {
                    Assert.InRange(Math.Abs((int)q[r, d]), 0, magnitude);
                    Assert.True(Math.Abs(back[r * width + d] - table[r * width + d]) <= q.Scale(r) * 0.5f * (1 + 1e-5f),
                        $"[{rows}, {width}] ±{magnitude}: element [{r}, {d}] {table[r * width + d]} came back as {back[r * width + d]}");
                }
            }
            Assert.Equal((long)rows * width + 4L * rows, q.ByteSize);
        }
    }

    [Fact]
    public void A_zero_or_vanishing_row_becomes_zeros_with_scale_one()
    {
        var q = Int8EmbeddingTable.Quantize([0f, 0f, 1e-31f, -1e-31f, 1f, -0.5f], 3, 2);
        Assert.Equal([1f, 1f, 1f / 127], q.Scales.ToArray());
        Assert.Equal([0, 0, 0, 0, 127, -64], q.Codes.ToArray().Select(c => (int)c));
    }

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Gather_equals_the_reference_bit_for_bit_on_every_width(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        foreach (int width in PathData.Lengths.Where(w => w > 0))
        {
            const int rows = 11;
            var q = Int8EmbeddingTable.Quantize(PathData.Uniform((ulong)width, rows * width, -3f, 3f), rows, width);
            int[] ids = [3, 0, 10, 3, 7];
            var expected = new float[ids.Length * width];
            var actual = new float[ids.Length * width];
            Array.Fill(actual, float.NaN);
            Int8EmbeddingReference.Gather(q.Codes, q.Scales, width, ids, expected);
            q.Gather(ids, actual);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"{path}, width {width}: y[{i}] is {actual[i]:G9}, expected {expected[i]:G9}");
        }
    });

    [Fact]
    public void Quantize_rejects_a_non_finite_value_naming_its_row() =>
        Check.Throws<ArgumentException>(() => Int8EmbeddingTable.Quantize([1f, 2f, float.NaN, 0f], 2, 2), "Row 1", "NaN");

    [Fact]
    public void FromQuantized_rejects_a_code_beyond_the_bound_and_a_bad_scale()
    {
        Check.Throws<ArgumentException>(() => Int8EmbeddingTable.FromQuantized([1, 65], [1f], 1, 2, 64), "q[0, 1] = 65", "±64");
        Check.Throws<ArgumentException>(() => Int8EmbeddingTable.FromQuantized([1, 2], [0f], 1, 2), "Scale of row 0");
        Check.Throws<ArgumentException>(() => Int8EmbeddingTable.FromQuantized([1, 2, 3], [1f], 1, 2), "[1, 2]");
    }

    [Fact]
    public void Gather_rejects_an_id_out_of_range_and_a_full_int8_table_cannot_be_a_linear_weight()
    {
        var q = Int8EmbeddingTable.Quantize([1f, 2f, 3f, 4f], 2, 2);
        Check.Throws<ArgumentException>(() => q.Gather([2], new float[2]), "Row 2", "[0, 2)");
        Check.Throws<InvalidOperationException>(() => q.ToLinearWeight(), "±127", "64");
        Int8LinearWeight w = Int8EmbeddingTable.Quantize([1f, 2f, 3f, 4f], 2, 2, 64).ToLinearWeight();
        Assert.Equal((sbyte)64, w[1, 1]);
    }
}
