using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Support;

/// <summary>
/// Every test that counts allocations belongs to this collection: xunit runs it alone, after the parallel ones, so
/// no other test's kernels run on the worker threads (or change <see cref="CpuKernels.Threads"/>) while it counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection's name, for <c>[Collection(AllocationCollection.Name)]</c>.</summary>
    public const string Name = "Allocation counts";
}

/// <summary>
/// Counts the managed bytes an action allocates once warm, on every thread that runs TinyKd code: the calling thread
/// and the kernels' worker threads (a GEMM above the parallel threshold runs part of its work on them).
/// </summary>
/// <remarks>
/// Not <see cref="GC.GetTotalAllocatedBytes(bool)"/>: the test host's own threads allocate in the background (168
/// bytes every 100–400 ms from a timer, measured while the test thread slept), so a process-wide count fails a long
/// step at random. Each thread's own <see cref="GC.GetAllocatedBytesForCurrentThread"/> is exact; the workers read
/// theirs inside a job that holds every one of them until all have a task, so each reads exactly once.
/// </remarks>
public static class Allocations
{
    /// <summary>Measured runs after the warm-up.</summary>
    public const int Repeats = 3;

    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmUp"/> times, then <see cref="Repeats"/> times more, and
    /// returns the bytes each measured run allocated on the calling and the kernel worker threads. Kernels run on at
    /// least two threads meanwhile, so that a GEMM above the parallel threshold wakes a worker;
    /// <see cref="CpuKernels.Threads"/> is restored afterwards.
    /// </summary>
    public static long[] Measure(Action action, int warmUp = 3)
    {
        int threads = CpuKernels.Threads;
        CpuKernels.Threads = Math.Max(threads, 2);
        try
        {
            var counter = new ThreadCounter(CpuKernels.Threads);
            var bytes = new long[warmUp + Repeats];
            for (int r = 0; r < bytes.Length; r++)
            {
                long before = counter.Read();
                action();
                bytes[r] = counter.Read() - before;
            }
            return bytes[warmUp..];
        }
        finally
        {
            CpuKernels.Threads = threads;
        }
    }

    /// <summary>
    /// Asserts that <paramref name="action"/> allocates nothing once warm, on any thread that runs it, in every one of
    /// the <see cref="Repeats"/> measured runs; the failure lists each run's count.
    /// </summary>
    public static void AssertNone(Action action, string what, int warmUp = 3)
    {
        long[] bytes = Measure(action, warmUp);
        Assert.True(bytes.All(b => b == 0),
            $"{what} allocated {string.Join(", ", bytes)} bytes in {Repeats} runs after {warmUp} warm-up runs (calling and kernel worker threads)");
    }

    // Sums GC.GetAllocatedBytesForCurrentThread over the calling thread and the workers a kernel run on `threads`
    // threads uses: one task per thread, and no thread reads (or can take a second task) until every task has been
    // taken. The wait spins rather than blocking on an event, whose lazily created lock would itself be counted.
    private sealed class ThreadCounter(int threads) : ParallelJob
    {
        private readonly long[] _bytes = new long[threads];
        private int _taken;

        public long Read()
        {
            _taken = 0;
            WorkerPool.Run(this, threads);
            long sum = 0;
            foreach (long b in _bytes) sum += b;
            return sum;
        }

        public override void Execute(int task)
        {
            Interlocked.Increment(ref _taken);
            var spin = new SpinWait();
            while (Volatile.Read(ref _taken) < threads) spin.SpinOnce(sleep1Threshold: -1);
            _bytes[task] = GC.GetAllocatedBytesForCurrentThread();
        }
    }
}
