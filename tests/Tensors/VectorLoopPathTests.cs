using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;

/// <summary>
/// What every *PathTests class runs over: each kernel path this processor supports, forced explicitly (the kernels
/// take the path as an argument, so tests running in parallel never touch <see cref="CpuKernels.Path"/>), every
/// length from 0 to 3×16+1 (so each path's every tail is hit) and awkward row widths.
/// </summary>
public static class PathData
{
    /// <summary>0 … 3×16 + 1: every remainder of the 16-wide and 8-wide loops, and more than one full step.</summary>
    public static readonly int[] Lengths = Enumerable.Range(0, 3 * 16 + 2).ToArray();

    /// <summary>Row widths that are neither vector multiples nor small: 1, 3, 7, 17, 33, 100, 257, 1000.</summary>
    public static readonly int[] Columns = [1, 3, 7, 17, 33, 100, 257, 1000];

    /// <summary>Every supported path, for [MemberData].</summary>
    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in CpuKernels.Supported) data.Add(path);
        return data;
    }

    /// <summary>Seeded uniform floats in [lo, hi).</summary>
    public static float[] Uniform(ulong seed, int length, float lo, float hi)
    {
        var values = new float[length];
        new Rng(seed).FillUniform(values, lo, hi);
        return values;
    }

    /// <summary>Distance in units in the last place between two floats of the same sign (0 when equal, NaN = NaN).</summary>
    public static long UlpDistance(float a, float b)
    {
        if (float.IsNaN(a) && float.IsNaN(b)) return 0;
        if (a == b) return 0;
        long ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs(ia - ib);
    }
}

// The generic drivers against plain loops: the loop shapes and their tails, separately from any one kernel's maths.
public class VectorLoopPathTests
{
    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Map_and_map_add_cover_every_element_of_every_length(KernelPath path)
    {
        foreach (int n in PathData.Lengths)
        {
            float[] a = PathData.Uniform((ulong)n, n, -2, 2), b = PathData.Uniform((ulong)n + 100, n, 1, 3);
            float[] y = new float[n + 1];
            y[n] = 42f;
            VectorLoop.Map(path, new ScaleOperator(3f), a, y);
            Assert.Equal(a.Select(v => v * 3f), y.Take(n));
            Assert.Equal(42f, y[n]);
            float[] acc = b.ToArray();
            VectorLoop.MapAdd(path, default(DivideOperator), a, b, acc);
            Assert.Equal(a.Zip(b, (x, z) => z + x / z), acc);
        }
    }

    // The last vector of a storing driver overlaps elements already done; it must not apply f twice in place.
    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void In_place_maps_and_map_sums_apply_f_once_to_every_element(KernelPath path)
    {
        foreach (int n in PathData.Lengths)
        {
            float[] a = PathData.Uniform((ulong)n + 3, n, -2, 2), expected = a.Select(v => v * 3f).ToArray();
            float[] y = a.ToArray();
            VectorLoop.Map(path, new ScaleOperator(3f), y, y);
            Assert.Equal(expected, y);
            y = a.ToArray();
            float sum = VectorLoop.MapSum(path, new ScaleOperator(3f), y, y);
            Assert.Equal(expected, y);
            // Float summation: the rounding is relative to Σ|y|, not to the (cancelling) sum.
            Check.Close([(float)expected.Sum(v => (double)v)], [sum], 1e-6 * expected.Sum(Math.Abs), 0, $"in-place map-sum n={n}");
            y = a.ToArray();
            VectorLoop.MapAdd(path, new ScaleOperator(3f), y, y);
            Assert.Equal(a.Select(v => v + v * 3f), y);
        }
    }

    [Theory]
    [MemberData(nameof(PathData.Paths), MemberType = typeof(PathData))]
    public void Sums_and_max_match_double_loops_at_every_length(KernelPath path)
    {
        foreach (int n in PathData.Lengths)
        {
            float[] a = PathData.Uniform((ulong)n + 7, n, -1, 1), b = PathData.Uniform((ulong)n + 8, n, -1, 1);
            double sum = a.Sum(v => (double)v), dot = a.Zip(b, (x, z) => (double)x * z).Sum();
            Check.Close([(float)sum], [VectorLoop.Sum(path, default(IdentityOperator), a)], 1e-6, 1e-6, $"sum n={n}");
            Check.Close([(float)dot], [VectorLoop.Sum(path, default(MultiplyOperator), a, b)], 1e-6, 1e-6, $"dot n={n}");
            float[] y = new float[n];
            Check.Close([(float)sum], [VectorLoop.MapSum(path, default(IdentityOperator), a, y)], 1e-6, 1e-6, $"map-sum n={n}");
            Assert.Equal(a, y);
            Assert.Equal(n == 0 ? float.NegativeInfinity : a.Max(), VectorLoop.Max(path, a));
        }
    }
}
