using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Tensors;

// The int8 formats: packed struct sizes, weight and activation quantize → dequantize error, the packing read back,
// the precomputed row sums, the activation kernels' paths against their plain loops, and the boundary errors.
public class Int8FormatTests
{
    [Fact]
    public void Packed_structs_have_their_documented_sizes()
    {
        Assert.Equal(64, Unsafe.SizeOf<Int8Tile>());
        Assert.Equal(Int8Tile.Size, Marshal.SizeOf<Int8Tile>());
        Assert.Equal(5, Marshal.SizeOf<ActivationQuantization>());
    }

    [Fact]
    public void Weight_dequantizes_within_half_a_step_and_keeps_row_sums_and_packing()
    {
        foreach ((int n, int k) in ((int, int)[])[(1, 1), (17, 3), (33, 17), (10, 1025)])
        {
            float[] w = PathData.Uniform((ulong)(n * k), n * k, -3, 2);
            Int8LinearWeight weight = Int8LinearWeight.Quantize(w, n, k);
            var back = new float[n * k];
            weight.Dequantize(back);
            for (int o = 0; o < n; o++)
            {
                float scale = weight.Scale(o);
                float max = 0f;
                for (int i = 0; i < k; i++) max = Math.Max(max, Math.Abs(w[o * k + i]));
                Assert.Equal(max / Int8LinearWeight.MaxMagnitude, scale);
                int sum = 0;
                for (int i = 0; i < k; i++)
                {
                    sbyte q = weight[o, i];
                    Assert.Equal((sbyte)MathF.Round(w[o * k + i] / scale), q);
                    Assert.True(Math.Abs(back[o * k + i] - w[o * k + i]) <= scale / 2 * (1 + 1e-5f), $"[{n}, {k}] row {o} col {i}");
                    sum += q;
                }
                Assert.Equal(sum, weight.RowSums[o]);
            }
            int rows = (n + 15) / 16 * 16, groups = (k + 3) / 4;
            Assert.Equal((long)rows / 16 * groups * 64 + rows * 8, weight.ByteSize);
        }
    }

    [Fact]
    public void Activations_dequantize_within_half_a_step_over_their_range()
    {
        foreach ((float lo, float hi) in ((float, float)[])[(-3f, 5f), (0f, 7.5f), (0.5f, 2f), (-4f, -1f)])
        {
            float[] x = PathData.Uniform(7, 1000, lo, hi);
            x[0] = lo;
            x[1] = hi;
            ActivationQuantization p = ActivationQuantization.FromData(x);
            var q = new byte[x.Length];
            var back = new float[x.Length];
            p.Quantize(x, q);
            p.Dequantize(q, back);
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(back[i] - x[i]) <= p.Scale / 2 * (1 + 1e-4f), $"[{lo}, {hi}] {p}: x {x[i]} came back as {back[i]}");
            var zero = new byte[1];
            p.Quantize([0f], zero);
            Assert.Equal(p.ZeroPoint, zero[0]);
        }
    }

    [Theory, MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public unsafe void Activation_kernels_equal_their_plain_loops_at_every_length(KernelPath path)
    {
        // Both quantizations clamp at each end; the second (scale 1/4) meets exact ties, x·4 = k + ½, which must
        // round to even on every path.
        foreach (var p in (ActivationQuantization[])[new(0.037f, 101), new(0.25f, 7)])
        foreach (int n in PathData.Lengths)
        {
            float[] x = p.Scale == 0.25f
                ? Enumerable.Range(0, n).Select(i => (i - 20) * 0.125f * (i % 3 == 0 ? 20 : 1)).ToArray()
                : PathData.Uniform((ulong)n, n, -6, 8);
            byte[] q = new byte[n + 1], expected = new byte[n + 1];
            q[n] = expected[n] = 42;
            float[] back = new float[n + 1], expectedBack = new float[n + 1];
            fixed (float* px = x, pb = back, peb = expectedBack)
            fixed (byte* pq = q, pe = expected)
            {
                Int8Activations.Quantize(path, px, pq, n, p);
                Int8Activations.QuantizeReference(px, pe, n, 1f / p.Scale, p.ZeroPoint);
                Int8Activations.Dequantize(path, pq, pb, n, p);
                Int8Activations.DequantizeReference(pq, peb, n, p.ZeroPoint, p.Scale);
            }
            Assert.Equal(expected, q);
            Assert.Equal(expectedBack, back);
        }
    }

    [Theory, MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public unsafe void Range_equals_its_plain_loop_at_every_length_and_flags_non_finite_values(KernelPath path)
    {
        foreach (int n in PathData.Lengths)
            foreach (float special in (float[])[0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity])
            {
                float[] x = PathData.Uniform((ulong)n + 3, n, -5, 9);
                if (n > 0) x[n * 7 / 11] = special;
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                bool expected;
                fixed (float* px = x)
                {
                    expected = Int8Activations.RangeReference(px, n, ref min, ref max);
                    Assert.Equal(expected, Int8Activations.Range(path, px, n, out float actualMin, out float actualMax));
                    if (expected) Assert.Equal((min, max), (actualMin, actualMax));
                }
                Assert.Equal(n == 0 || special == 0f, expected);
            }
    }

    [Fact]
    public void Quantizers_reject_bad_input_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => Int8LinearWeight.Quantize(new float[6], 2, 4));
        Assert.Contains("[2, 4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Int8LinearWeight.Quantize([1f, float.NaN], 1, 2));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => Int8LinearWeight.FromQuantized([0, 65], [1f], 1, 2));
        Assert.Contains("q[0, 1] = 65", e.Message);
        e = Assert.Throws<ArgumentException>(() => ActivationQuantization.FromData([1f, float.PositiveInfinity]));
        Assert.Contains("Infinity", e.Message);
        Assert.Equal("values", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationQuantization(0f, 0));
    }
}
