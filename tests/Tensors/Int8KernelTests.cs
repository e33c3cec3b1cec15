using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using Xunit.Abstractions;

namespace TinyKd.Tests.Tensors;

// Every int8 GEMM/GEMV path (scalar over the packing, AVX2, AvxVnni, AVX-512BW) against the triple loop of
// Int8Gemm.Reference.cs on the int32 products themselves, not only on floats: integer sums are exact, so each path
// must equal the reference bit for bit, on awkward shapes, on 1 and 2 threads, and at the saturation worst case.
public class Int8KernelTests(ITestOutputHelper output)
{
    // 33 rows of a narrow N (one 64-column share) at K = 1025 make 2 threads split the rows instead of the columns.
    private static readonly int[] Rows = [1, 2, 3, 4, 5, 9, 33];
    private static readonly int[] Columns = [1, 15, 16, 17, 33, 65, 100];
    private static readonly int[] Depths = [1, 3, 17, 1025];

    // A path this CPU lacks is reported and not run.
    private bool Runs(Int8Path path)
    {
        if (Int8Gemm.IsSupported(path)) return true;
        output.WriteLine($"Skipped: this processor cannot run the {path} int8 path (kernel paths up to {CpuKernels.Best}, AvxVnni {System.Runtime.Intrinsics.X86.AvxVnni.IsSupported}).");
        return false;
    }

    [Theory, MemberData(nameof(Int8TestData.Paths), MemberType = typeof(Int8TestData))]
    public void Products_equal_the_reference_bit_for_bit_on_awkward_shapes_and_thread_counts(string pathName)
    {
        Int8Path path = Enum.Parse<Int8Path>(pathName);
        if (!Runs(path)) return;
        foreach (int m in Rows)
            foreach (int n in Columns)
                foreach (int k in Depths)
                {
                    int seed = m * 1_000_000 + n * 10_000 + k, zeroPoint = seed % 256;
                    sbyte[] q = Int8TestData.Weights(seed, n, k);
                    Int8LinearWeight weight = Int8LinearWeight.FromQuantized(q, Int8TestData.Scales(n), n, k);
                    byte[] a = Int8TestData.Activations(seed + 1, m, k, weight.PaddedInFeatures);
                    int[] expected = Int8TestData.ReferenceProducts(m, a, zeroPoint, q, weight);
                    foreach (int threads in (int[])[1, 2])
                        Assert.True(expected.AsSpan().SequenceEqual(Int8TestData.Products(path, threads, m, a, zeroPoint, weight)),
                            $"{path}, {threads} thread(s), M {m}, N {n}, K {k}, zero point {zeroPoint}, seed {seed}");
                }
    }

    [Theory, MemberData(nameof(Int8TestData.Paths), MemberType = typeof(Int8TestData))]
    public void Products_are_exact_at_the_saturation_worst_case(string pathName)
    {
        Int8Path path = Enum.Parse<Int8Path>(pathName);
        if (!Runs(path)) return;
        // Every pair vpmaddubsw sums is 255·(±64) + 255·(±64) = ±32640, the most the 7-bit weights allow and just
        // under the int16 limit 32767; K = 1025 takes the int32 total to 255·64·1025 = 16 728 000.
        const int m = 5, n = 33, k = 1025;
        foreach (sbyte extreme in (sbyte[])[Int8LinearWeight.MaxMagnitude, -Int8LinearWeight.MaxMagnitude])
        {
            sbyte[] q = Enumerable.Repeat(extreme, n * k).ToArray();
            Int8LinearWeight weight = Int8LinearWeight.FromQuantized(q, Int8TestData.Scales(n), n, k);
            byte[] a = Enumerable.Repeat((byte)255, m * weight.PaddedInFeatures).ToArray();
            foreach (int threads in (int[])[1, 2])
            {
                int[] c = Int8TestData.Products(path, threads, m, a, 0, weight);
                Assert.All(c, v => Assert.Equal(255 * extreme * k, v));
            }
        }
    }

    [Fact]
    public void Path_for_each_kernel_path_is_the_documented_one()
    {
        Assert.Equal(Int8Path.Scalar, Int8Gemm.PathFor(KernelPath.Scalar));
        Assert.Equal(Int8Path.Avx512, Int8Gemm.PathFor(KernelPath.Avx512));
        Assert.Equal(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported ? Int8Path.AvxVnni : Int8Path.Avx2, Int8Gemm.PathFor(KernelPath.Avx2));
    }
}
