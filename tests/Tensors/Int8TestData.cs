using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Tensors;

/// <summary>Seeded operands and kernel runs shared by the Int8*Tests classes.</summary>
public static class Int8TestData
{
    /// <summary>Every int8 path, for [MemberData]; the tests report and skip the ones this CPU lacks.</summary>
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (Int8Path path in Enum.GetValues<Int8Path>()) data.Add(path.ToString());
        return data;
    }

    /// <summary>M × stride activation bytes: the first K of each row uniform in [0, 255], the padding garbage.</summary>
    public static byte[] Activations(int seed, int m, int k, int stride)
    {
        var random = new Random(seed);
        var a = new byte[m * stride];
        random.NextBytes(a);
        return a;
    }

    /// <summary>N × K weights uniform in [−64, 64], the 7-bit range, extremes included.</summary>
    public static sbyte[] Weights(int seed, int n, int k)
    {
        var random = new Random(seed);
        var q = new sbyte[n * k];
        for (int i = 0; i < q.Length; i++) q[i] = (sbyte)random.Next(-Int8LinearWeight.MaxMagnitude, Int8LinearWeight.MaxMagnitude + 1);
        return q;
    }

    /// <summary>Scales 0.01 … 0.02, one per row.</summary>
    public static float[] Scales(int n) => Enumerable.Range(0, n).Select(o => 0.01f + 0.01f * o / n).ToArray();

    /// <summary>C [M, N] = Σ (a − z)·q (the padding columns dropped) through <see cref="Int8Gemm"/> on <paramref name="path"/> with <paramref name="threads"/> threads.</summary>
    internal static unsafe int[] Products(Int8Path path, int threads, int m, byte[] a, int zeroPoint, Int8LinearWeight weight)
    {
        int n = weight.OutFeatures, stride = weight.PaddedOutFeatures;
        var c = new int[m * stride];
        fixed (byte* pa = a)
        fixed (int* pc = c, sums = weight.RowSums)
        fixed (Int8Tile* tiles = weight.Tiles)
        {
            var problem = new Int8Problem
            {
                A = pa, AStride = weight.PaddedInFeatures, M = m, N = weight.OutFeatures, Groups = weight.Groups,
                ZeroPoint = zeroPoint, Tiles = tiles, RowSums = sums, C = pc, CStride = stride,
            };
            Int8Gemm.Run(path, threads, in problem);
        }
        var products = new int[m * n];
        for (int i = 0; i < m; i++) c.AsSpan(i * stride, n).CopyTo(products.AsSpan(i * n));
        return products;
    }

    /// <summary>The reference C for the same operands.</summary>
    public static int[] ReferenceProducts(int m, byte[] a, int zeroPoint, sbyte[] q, Int8LinearWeight weight)
    {
        var c = new int[m * weight.OutFeatures];
        Int8GemmReference.Run(m, weight.OutFeatures, weight.InFeatures, a, weight.PaddedInFeatures, zeroPoint, q, c);
        return c;
    }
}
