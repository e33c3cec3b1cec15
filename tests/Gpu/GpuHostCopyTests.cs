using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Tests.Gpu;

// Host copies hand ILGPU the address of a managed array; the array must stay where it is until the copy is done. These
// copy fresh (young, movable) arrays up and down while another thread forces compacting collections: with the arrays
// unpinned, 5 runs of this test out of 5 failed here (4 to 7 of the 3,000 round trips wrong, or the test host killed by
// an access violation at a freed address); pinned, it passes in 1–4 s.
[Collection(IlgpuCpuCollection.Name)]
public class GpuHostCopyTests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

    [Fact]
    public void Round_trips_keep_their_numbers_while_collections_move_young_arrays()
    {
        const int length = ElementsBelowTheLargeObjectHeap;
        using Storage floats = _gpu.Allocate(length);
        var tensor = new Tensor(floats, new Shape(length));
        IntTensor ints = IntTensor.Upload(new int[length], _gpu);
        int wrong = 0;
        WhileCollecting(() =>
        {
            for (int r = 0; r < RoundTrips; r++)
            {
                var up = new float[length];
                Array.Fill(up, r);
                _gpu.CopyFromHost(tensor, up);
                var down = new float[length];
                _gpu.CopyToHost(tensor, down);
                var upInts = new int[length];
                Array.Fill(upInts, -r);
                _gpu.CopyFromHost(ints, upInts);
                var downInts = new int[length];
                _gpu.CopyToHost(ints, downInts);
                if (Array.Exists(down, v => v != r) || Array.Exists(downInts, v => v != -r)) wrong++;
            }
        });
        DeviceMemory.Release(ints);
        Assert.Equal(0, wrong);
    }

    // Arrays of 85,000 bytes or more go to the large-object heap, which collections do not compact by default.
    private const int ElementsBelowTheLargeObjectHeap = 1_000;

    private const int RoundTrips = 3_000;

    private static void WhileCollecting(Action body)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
                Thread.Sleep(0);
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            body();
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
    }
}
