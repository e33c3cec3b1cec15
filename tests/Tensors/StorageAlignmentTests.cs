using TinyKd.Tensors;

namespace TinyKd.Tests.Tensors;

/// <summary>The CPU backend's large allocations start on a 64-byte boundary, and every view of them honours that start.</summary>
public class StorageAlignmentTests
{
    [Theory]
    [InlineData(21_250)] // 85,000 bytes: the first aligned size
    [InlineData(128 * 784)]
    [InlineData(1200 * 1200 + 3)]
    public unsafe void Large_tensors_start_on_a_cache_line_and_are_zero(int length)
    {
        for (int i = 0; i < 4; i++) // several arrays: each lands at its own address
        {
            var t = Tensor.Zeros(length);
            fixed (float* p = t.Span) Assert.Equal(0, (nint)p % 64);
            Assert.Equal(length, t.Span.Length);
            Assert.True(t.Span.IndexOfAnyExcept(0f) < 0);
        }
    }

    [Fact]
    public void A_small_tensor_is_a_whole_array()
    {
        var storage = (CpuStorage)Tensor.Zeros(100).Storage;
        Assert.Equal(0, storage.Start);
        Assert.Equal(100, storage.Data.Length);
    }

    [Fact]
    public void Span_memory_kernels_and_numerics_views_read_from_the_aligned_start()
    {
        int rows = 170, columns = 130; // 22,100 floats: aligned storage
        var x = Tensor.Zeros(rows, columns);
        for (int i = 0; i < x.Length; i++) x.Span[i] = i % 97 - 48;
        var storage = (CpuStorage)x.Storage;
        Assert.Equal(x.Span[0], storage.Data[storage.Start]);

        var numerics = x.ToNumericsTensor();
        Assert.Equal(x.Span[columns + 7], numerics[1, 7]);
        Assert.Equal(x.Span[2 * columns + 3], x.AsTensorSpan()[2, 3]);

        // Softmax goes through the backend's Memory views: compare with the same rows in an unaligned array.
        var y = Tensor.Zeros(rows, columns);
        CpuCompute.Default.Softmax(y, x, 1f, log: false);
        var copy = Tensor.FromArray(x.ToArray(), rows, columns);
        var expected = Tensor.FromArray(new float[rows * columns], rows, columns);
        CpuCompute.Default.Softmax(expected, copy, 1f, log: false);
        Assert.Equal(expected.ToArray(), y.ToArray());

        var row = x.Slice(5, 1);
        Assert.Equal(x.Span.Slice(5 * columns, columns).ToArray(), row.ToArray());
    }
}
