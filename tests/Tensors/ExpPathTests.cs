using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Tensors;

// The vectorised e^x against double precision: accuracy over a sweep of the whole float range (subnormal results
// included), the special values, and the same bits on every path and at every position of a span.
public class ExpPathTests
{
    // Every 1021st float from −110 to +92 (bit patterns), about 2 million values, plus the end points.
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (int bits = BitConverter.SingleToInt32Bits(92f); bits >= 0; bits -= 1021) values.Add(BitConverter.Int32BitsToSingle(bits));
        for (int bits = BitConverter.SingleToInt32Bits(-0f); bits <= BitConverter.SingleToInt32Bits(-110f) && bits < 0; bits += 1021)
            values.Add(BitConverter.Int32BitsToSingle(bits));
        values.AddRange([88.72283f, 88.72284f, -87.33654f, -103.27893f, -103.97208f, -104f, 0.5f * MathF.Log(2f)]);
        return [.. values];
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Exp_is_within_1_ulp_of_double_precision_over_the_float_range(KernelPath path)
    {
        float[] x = Sweep();
        float[] y = new float[x.Length];
        Exp.Run(path, x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float expected = (float)Math.Exp(x[i]);
            long ulps = PathData.UlpDistance(expected, y[i]);
            Assert.True(ulps <= 1, $"exp({x[i]:R}) = {y[i]:R}, expected {expected:R} ({ulps} ulp) on {path}");
        }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Exp_handles_infinities_nan_overflow_and_underflow(KernelPath path)
    {
        float[] x = [float.NegativeInfinity, float.PositiveInfinity, float.NaN, float.MinValue, float.MaxValue, -1e30f, 1e30f,
            -104.5f, -200f, 100.5f, 89f, 0f, -0f, float.Epsilon, -float.Epsilon, 1e-30f];
        float[] expected = [0f, float.PositiveInfinity, float.NaN, 0f, float.PositiveInfinity, 0f, float.PositiveInfinity,
            0f, 0f, float.PositiveInfinity, float.PositiveInfinity, 1f, 1f, 1f, 1f, 1f];
        // Padded to a full vector so the same values also go through the 16- and 8-wide steps.
        for (int offset = 0; offset < 17; offset += 8)
        {
            float[] input = new float[offset].Concat(x).ToArray();
            float[] y = new float[input.Length];
            Exp.Run(path, input, y);
            Assert.Equal(expected, y.Skip(offset));
        }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Exp_gives_the_scalar_paths_bits_at_every_length_and_in_place(KernelPath path)
    {
        foreach (int n in PathData.Lengths)
        {
            float[] x = PathData.Uniform((ulong)n, n, -90, 90);
            float[] expected = new float[n], y = new float[n];
            Exp.Run(KernelPath.Scalar, x, expected);
            Exp.Run(path, x, y);
            Assert.Equal(expected, y);
            Exp.Run(path, x, x);
            Assert.Equal(expected, x);
        }
    }
}
