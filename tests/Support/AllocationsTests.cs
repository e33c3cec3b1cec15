using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Support;

// The allocation count every allocation test relies on: it sees what the calling thread and a kernel worker thread
// allocate, and nothing when nothing is allocated.
[Collection(AllocationCollection.Name)]
public sealed class AllocationsTests
{
    private const int Bytes = 100_000;

    [Fact]
    public void The_count_includes_what_a_kernel_worker_thread_allocates()
    {
        var job = new AllocateOffTheCallingThread();
        long[] bytes = Allocations.Measure(() => job.Run());
        Assert.All(bytes, b => Assert.InRange(b, Bytes, Bytes + 1_000));
        Assert.Equal(Bytes, job.Kept!.Length);
    }

    [Fact]
    public void The_count_includes_what_the_calling_thread_allocates()
    {
        byte[]? kept = null;
        long[] bytes = Allocations.Measure(() => kept = new byte[Bytes]);
        Assert.All(bytes, b => Assert.InRange(b, Bytes, Bytes + 1_000));
        Assert.Equal(Bytes, kept!.Length);
    }

    [Fact]
    public void An_action_that_allocates_nothing_counts_zero()
    {
        var buffer = new float[1000];
        Allocations.AssertNone(() => Array.Fill(buffer, 1f), "filling a float[] in place");
    }

    // Two tasks held at a barrier, so the calling thread and a worker take one each; only the worker allocates.
    private sealed class AllocateOffTheCallingThread : ParallelJob
    {
        private readonly Barrier _both = new(2);
        private int _caller;

        public byte[]? Kept { get; private set; }

        public void Run()
        {
            _caller = Environment.CurrentManagedThreadId;
            WorkerPool.Run(this, 2);
        }

        public override void Execute(int task)
        {
            _both.SignalAndWait();
            if (Environment.CurrentManagedThreadId != _caller) Kept = new byte[Bytes];
        }
    }
}
